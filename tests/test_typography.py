"""Plain typography in titles and author names (pipeline.extract.typography)."""

from __future__ import annotations

import pytest

from newsmill.pipeline.extract.typography import plain_typography


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("The Beginner’s Guide", "The Beginner's Guide"),
        ("“Calm” to reduce stress", '"Calm" to reduce stress'),
        ("And finally… trouble brewing", "And finally... trouble brewing"),
        ("How Does Mapping Work？", "How Does Mapping Work?"),
        # UTF-8 read as Windows-1252 by the publisher's CMS, then written out again
        ("A DIY Investorâ€™s Guide", "A DIY Investor's Guide"),
        ("Ã‰tÃ© Ã©clatant", "Été éclatant"),
        # next to an en dash that was never damaged: the title as a whole does not round-trip
        ("MÃ¤scot das Schaf – Webcomic", "Mäscot das Schaf – Webcomic"),
    ],
)
def test_plain_typography_folds_quotes_ellipsis_fullwidth_mojibake(raw: str, plain: str) -> None:
    assert plain_typography(raw) == plain


@pytest.mark.parametrize(
    "kept",
    [
        "AI won't steal your job—but it may save your CD set",  # dashes carry meaning
        "Café São Paulo: Zürich’s ÂME",  # ordinary accented text is not "repaired"
        "東京の新しい駅、来年開業へ？",  # CJK text keeps its full-width punctuation
    ],
)
def test_plain_typography_leaves_dashes_accents_and_cjk_punctuation(kept: str) -> None:
    out = plain_typography(kept)
    assert out == kept.replace("’", "'")
