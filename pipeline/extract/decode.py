"""Page bytes -> text: the character set from the BOM, the HTTP header, the markup, or the bytes.

w3lib (Scrapy's own) reads the BOM, the `charset` of the Content-Type header and the page's
`<meta charset>` / http-equiv / XML declaration, and resolves labels the way browsers do
(latin-1 and ascii are windows-1252, gb2312 is gb18030, utf-7 is refused). Two rules of ours
come on top, because w3lib decodes the first declared encoding with replacement characters:

- a declared encoding the bytes do not decode in is skipped (a cp1252 page served as UTF-8);
- a single-byte declaration loses to a body that is valid, non-ASCII UTF-8: that combination
  is a mislabelled UTF-8 page, and decoding it as cp1252 would produce mojibake.

Both still earn their place (measured over the 1,656 pages of the two development sets in
../shared/benchmarks): bare `w3lib.encoding.html_to_unicode` puts U+FFFD into 4 pages that are
cp1252 under a UTF-8 label, and turns one mislabelled UTF-8 page (wcxb 0452) into mojibake;
with the two rules the text differs from our former hand-written detector on one page only,
a gb2312 page that w3lib now reads as gb18030 (a dash browsers also show as U+2014).
"""

from __future__ import annotations

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    to_unicode,
)

# Python codec names of the single-byte encodings pages get mislabelled with.
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "latin", "ascii", "mac-roman", "koi8", "cp874")


def _byte_oriented(name: str | None) -> str | None:
    # A UTF-16/32 label read from bytes an ASCII-compatible scan could read is wrong (there is
    # no BOM): browsers decode such a page as UTF-8, and so do we.
    if name and name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return name


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes: BOM, then the HTTP charset, then the markup's declaration, then UTF-8,
    then windows-1252 (see the module docstring). Returns (text, encoding used)."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return to_unicode(body[len(bom) :], bom_encoding), bom_encoding
    declared = (
        _byte_oriented(http_content_type_encoding(content_type)),
        _byte_oriented(html_body_declared_encoding(body)),
    )
    seen: set[str] = set()
    for name in (*declared, "utf-8", "cp1252"):
        if not name or name in seen:
            continue
        seen.add(name)
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name.startswith(_SINGLE_BYTE_PREFIXES) and not body.isascii():
            try:
                return body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        return text, name
    return to_unicode(body, "cp1252"), "cp1252"
