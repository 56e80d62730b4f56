"""Comparing answers with references, and reading a reference under the record contract.

These are the bench's own simple rules, independent of the pipeline's, so that the extractor
is never scored by its own logic.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

TYPOGRAPHY = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "..."}
)
# Words that make a reference "author" a group or an organisation rather than a person.
_GROUP_WORDS = frozenset(
    re.findall(
        r"\S+",
        """team staff editors editorial desk newsroom board contributors contributor marketing
    agency inc llc ltd co company group store online blog media news digital studio services
    solutions bank clinic foundation university college institute center centre association
    construction dental security global redaktion agenturen""",
    )
)
_CREDENTIAL_WORDS = frozenset(
    re.findall(
        r"\S+",
        """md ms rd mba phd ph.d ph.d. dvm vmd cpa cfp cfa rn lvt vts ba bs msc bsc jd esq dds
    do facp fand dabom foma faclm dacvb cepf® cepf cpp psp e-ryt smt""",
    )
)
_HONORIFICS = {"dr", "dr.", "prof", "prof.", "sir", "mr", "mr.", "mrs", "mrs.", "ms.", "dame"}
_ROLE_HINTS = {
    "expert",
    "writer",
    "editor",
    "director",
    "ceo",
    "founder",
    "dietitian",
    "representative",
    "educator",
    "horticulturalist",
    "of",
    "-",
    "|",
}
# A byline's lead word kept in some references ("Von Roland Brockmann", "By Jane Doe").
_BYLINE_LEADS = {"by", "von"}
# Separators of several names in one reference string; "und" because one set is mostly German.
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|/|\band\b|\bund\b|\|)\s*")


def fold(text: str) -> str:
    """NFC, whitespace folding and case folding: the benchmark's notion of 'same text'."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _name_words(name: str) -> set[str]:
    return {w.strip(".,;:()\"'").casefold() for w in name.split()} - {""}


def author_ok(authors: list[str], expected: str) -> bool:
    """Every word of the expected name appears in one of the extracted names."""
    want = _name_words(expected)
    return bool(want) and any(want <= _name_words(a) for a in authors)


def days_apart(a: str, b: str) -> int:
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
    except ValueError:
        return 1_000_000


def _squashed(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _host_keys(url: str) -> set[str]:
    host = (url.split("://", 1)[-1].split("/", 1)[0]).lower().removeprefix("www.")
    labels = [x for x in host.split(".") if x]
    return {_squashed(host), *(_squashed(x) for x in labels[:-1] if len(x) > 2)}


def _is_organisation(text: str, url: str) -> bool:
    folded = [w.casefold().strip(".,()") for w in text.split()]
    keys = _host_keys(url)
    if _squashed(text) in keys or any(k and k in _squashed(text) for k in keys if len(k) > 4):
        return True
    if any(w in _GROUP_WORDS for w in folded):
        return True
    # A one-word handle: all lower case, with dots/digits/@, or camel-cased ("KleineGrüne").
    return " " not in text and (
        text.islower()
        or any(c in text for c in "._@0123456789")
        or any(c.isupper() for c in text[1:])
    )


def expected_people(expected: str, url: str) -> list[str] | None:
    """The person names a contract-following record should carry for a reference author
    string: [] for an organisation / team / site / handle, the individual names for a list
    or a name with credentials; None when the reference is already one plain name."""
    text = expected.strip()
    if _is_organisation(text, url):
        return []
    parts = _NAME_SEPARATORS.split(text)
    people = []
    for part in parts:
        words = part.split()
        if words and words[0].casefold() in _BYLINE_LEADS:
            words = words[1:]
        pw = [w for w in words if w.casefold() not in _HONORIFICS]
        if not pw or all(w.casefold().strip(".,()") in _CREDENTIAL_WORDS for w in pw):
            continue
        if any(w.casefold() in _ROLE_HINTS for w in pw) or (
            len(pw) == 1 and len(parts) > 1 and pw[0].isupper()
        ):
            continue
        people.append(" ".join(pw))
    if people == [text]:
        return None
    return people


def title_miss_reason(got: str, want: str, typography_only: bool) -> str:
    if typography_only:
        return "typography only (quotes, dashes, final stop)"
    if not got:
        return "missed: no title"
    g, w = fold(got).translate(TYPOGRAPHY), fold(want).translate(TYPOGRAPHY)
    if w in g:
        return "ours is longer (suffix/prefix kept)"
    if g in w:
        return "ours is shorter (cut or different h1)"
    return "different wording (SEO title vs headline)"
