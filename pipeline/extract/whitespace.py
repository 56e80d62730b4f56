"""Whitespace and invisible characters in record values: one line for short fields, one
paragraph per line for the text.

Text is NFC, one paragraph per line of the extractor's output, paragraphs separated by exactly
one blank line, runs of spaces collapsed, no leading or trailing spaces.
"""

from __future__ import annotations

import re
import unicodedata

# Spaces that render like a space but defeat str.split-based word counts and dedup hashing.
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Invisible characters with no meaning in running text. ZWJ/ZWNJ are kept: they matter in
# Persian, Indic scripts and emoji.
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HSPACE = re.compile(r"[ \t]+")
_ANY_SPACE = re.compile(r"\s+")


def normalise_space(value: str | None) -> str:
    """A single-line value: NFC, all whitespace runs become one space, trimmed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", _CONTROL.sub(" ", value))
    return _ANY_SPACE.sub(" ", _ODD_SPACES.sub(" ", value)).strip()


def text_paragraphs(text: str) -> list[str]:
    """The paragraphs of extractor output: one per non-blank line, whitespace-normalised."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", _CONTROL.sub(" ", _ODD_SPACES.sub(" ", text)))
    out: list[str] = []
    for line in text.split("\n"):
        line = _HSPACE.sub(" ", line).strip()
        if line:
            out.append(line)
    return out


def normalise_text(text: str) -> str:
    """Record text: paragraphs separated by exactly one blank line (see module docstring)."""
    return "\n\n".join(text_paragraphs(text))


def wordset(text: str) -> frozenset[str]:
    """A set of words written as a block of text: long vocabularies stay readable."""
    return frozenset(text.split())
