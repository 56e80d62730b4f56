"""Plain typography for the short fields of a record: title and author names.

One publisher writes a headline's apostrophe as `&#039;` in its `og:title` and as `&#8217;` in
its `<h1>`; a syndicated copy of the story may use either. Consumers compare, deduplicate and
search these fields, and "Beginner’s Guide" must equal "Beginner's Guide" there, so the record
spells quotes, apostrophes and the ellipsis in ASCII, and full-width punctuation in its
ordinary form (except in Chinese, Japanese and Korean text, where full-width is the ordinary
form). Dashes keep their meaning ("2024—and beyond" is not "2024-and beyond") and stay as
written; the body text is left exactly as published.

Text that was UTF-8, decoded as Latin-1 or Windows-1252 and encoded again ("Investorâ€™s") is
repaired first: the damage is done by the publisher's CMS, and the pattern is unambiguous.
"""

from __future__ import annotations

import re

_ASCII = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark / apostrophe
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime, often typed for an apostrophe
        "\u02bc": "'",  # modifier letter apostrophe
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2026": "...",
    }
)
# U+FF01..U+FF5E mirror ASCII 0x21..0x7E; CJK-keyboard punctuation ("Work？") lands there.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
# The lead bytes of UTF-8 sequences read as Latin-1/cp1252 characters, followed by a
# continuation byte read the same way: "â€™", "Ã©", "Ã¼".
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013-\u203a\u20ac\u2122]"
)
# Han, kana and Hangul: text in these scripts uses full-width punctuation as its normal form.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _undouble(text: str) -> str:
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(repaired) < len(text):
            return repaired
    return text


def plain_typography(text: str) -> str:
    """ASCII quotes and ellipsis, ordinary punctuation for full-width forms, mojibake undone."""
    text = _undouble(text).translate(_ASCII)
    return text if _CJK.search(text) else text.translate(_FULLWIDTH)
