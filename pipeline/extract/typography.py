"""Plain typography for the short fields of a record: title and author names.

One publisher writes a headline's apostrophe as `&#039;` in its `og:title` and as `&#8217;` in
its `<h1>`; a syndicated copy of the story may use either. Consumers compare, deduplicate and
search these fields, and "Beginner’s Guide" must equal "Beginner's Guide" there, so the record
spells quotes, apostrophes and the ellipsis in ASCII, and full-width punctuation in its
ordinary form (except in Chinese, Japanese and Korean text, where full-width is the ordinary
form). Dashes keep their meaning ("2024—and beyond" is not "2024-and beyond") and stay as
written; the body text is left exactly as published.

ftfy does the work: it repairs text that was UTF-8, decoded as Latin-1 or Windows-1252 and
encoded again ("Investorâ€™s"), straightens curly quotes and apostrophes, and narrows
full-width characters. It leaves the ellipsis and the primes typed for quotes alone, so those
few stay in a table here.
"""

from __future__ import annotations

import re

import ftfy

# Values arrive unescaped already; a literal "&amp;" left in a title is the publisher's text.
_FIXES = ftfy.TextFixerConfig(unescape_html=False)
_FIXES_KEEP_WIDTH = ftfy.TextFixerConfig(unescape_html=False, fix_character_width=False)
_ASCII = str.maketrans(
    {
        "\u2032": "'",  # prime, often typed for an apostrophe
        "\u2033": '"',  # double prime, typed for a quotation mark
        "\u2026": "...",
    }
)
# Han, kana and Hangul: text in these scripts uses full-width punctuation as its normal form.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def plain_typography(text: str) -> str:
    """ASCII quotes and ellipsis, ordinary punctuation for full-width forms, mojibake undone."""
    fixes = _FIXES_KEEP_WIDTH if _CJK.search(text) else _FIXES
    return ftfy.fix_text(text, fixes).translate(_ASCII)
