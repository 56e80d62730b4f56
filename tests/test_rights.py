"""`rights` and `paywalled` as extraction reads them: meta tags, headers, the crawl's tdmrep.json
rule (in the hints), JSON-LD and paywall markup. The crawl side is tests/test_tdm_crawl.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsmill.pipeline.extract import tdmrep
from newsmill.pipeline.extract.page import extract_article
from newsmill.pipeline.publish.tables import (
    parquet_to_table,
    rows_to_table,
    table_to_parquet,
    to_row,
)

PAGES = Path(__file__).parent / "fixtures" / "beyond"
NOTHING = {"license": None, "tdm_reserved": None, "tdm_policy": None, "noai": None}


def _record(name: str, **kw: Any) -> Any:
    return extract_article(
        (PAGES / name).read_bytes(), url=f"https://news.example/{name}", site="test",
        fetched_at="2025-09-04T10:00:00Z", source="feed", raw_ref="test",
        content_type="text/html; charset=utf-8", **kw,
    )


def test_meta_tags_give_reservation_policy_noai_and_licence() -> None:
    article = _record("rights-meta.html")
    assert article.rights == {
        "license": "https://creativecommons.org/licenses/by-nc-nd/4.0/deed.fr",
        "tdm_reserved": True,
        "tdm_policy": "https://courrier-greves.example/politique-tdm.json",
        "noai": True,
    }
    assert article.paywalled is False  # JSON-LD: isAccessibleForFree true


def test_headers_beat_meta_tags_and_the_site_file_beats_both() -> None:
    headers = {"TDM-Reservation": "0", "X-Robots-Tag": "noindex"}
    by_header = _record("rights-meta.html", headers=headers)
    assert by_header.rights["tdm_reserved"] is False and by_header.rights["tdm_policy"] is None
    hints = tdmrep.rule_hints(tdmrep.TdmRule("/*", True, "https://news.example/tdm.json"))
    by_file = _record("rights-meta.html", headers=headers, hints=hints)
    assert by_file.rights["tdm_reserved"] is True
    assert by_file.rights["tdm_policy"] == "https://news.example/tdm.json"


def test_x_robots_tag_noai_and_a_silent_page() -> None:
    silent = _record("figures-wpclassic.html")
    assert silent.rights == NOTHING and silent.paywalled is None
    told = _record("figures-wpclassic.html", headers={"x-robots-tag": "noimageai"})
    assert told.rights["noai"] is True


def test_paywalled_teaser_is_a_record_flagged_without_the_prompt() -> None:
    article = _record("paywall-teaser.html")
    assert article.paywalled is True
    assert article.text.startswith("When the receivers arrived at the Carrow yard")
    assert "Subscribe to continue reading" not in article.text
    assert "subscribers" not in article.text


@pytest.mark.parametrize(
    ("location", "path", "expected"),
    [("/news/*", "/news/2025/a.html", True), ("/news/*", "/sport/a.html", None),
     ("/*.pdf$", "/files/report.pdf", True), ("/*.pdf$", "/files/report.pdf?x=1", None),
     ("/", "/anything", True)],
)
def test_tdmrep_locations_match_like_robots_txt(location: str, path: str,
                                                expected: bool | None) -> None:
    rules = tdmrep.parse_tdmrep(
        f'[{{"location": "{location}", "tdm-reservation": 1}}]'.encode())
    assert rules is not None
    rule = tdmrep.matching_rule(rules, path)
    assert (rule.reserved if rule else None) is expected


def test_the_first_matching_rule_applies_and_junk_is_no_file() -> None:
    rules = tdmrep.parse_tdmrep(b'[{"location": "/open/*", "tdm-reservation": 0},'
                                b' {"location": "/*", "tdm-reservation": 1,'
                                b' "tdm-policy": "https://x.example/p"}]')
    assert rules is not None
    assert tdmrep.matching_rule(rules, "/open/a").reserved is False  # type: ignore[union-attr]
    assert tdmrep.matching_rule(rules, "/b").policy == "https://x.example/p"  # type: ignore[union-attr]
    assert tdmrep.parse_tdmrep(b"<html>Not found</html>") is None


def test_parquet_columns_are_structs_and_lists() -> None:
    article = _record("figures-arc.html")
    table = parquet_to_table(table_to_parquet(rows_to_table([to_row(article)])))
    assert str(table.schema.field("images").type).startswith("list<element: struct<url: string")
    assert str(table.schema.field("rights").type).startswith("struct<license: string")
    row = table.to_pylist()[0]
    assert row["images"] == article.images and row["rights"] == article.rights
    assert row["embeds"] == [] and row["paywalled"] is None
