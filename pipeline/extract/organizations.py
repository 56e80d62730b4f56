"""Organisations credited as author: the record's `organizations`.

Wire copy is credited to an agency ("Associated Press", "AFP", "dpa"), a desk or team ("MND
Staff", "TOI Lifestyle Desk") or the publication itself. `authors` holds people only, so these
credits get their own field; downstream teams filter or weight agency copy with it. A credit is
kept as the page writes it ("AP" stays "AP").

Agency credits are also read from the text, where wire stories carry them: a dateline
("WASHINGTON (AP) — ...") and a signature at the end ("— Reuters", "(dpa)", "dpa/afp/lw").
"""

from __future__ import annotations

import re

from newsmill.pipeline.extract.whitespace import wordset

# News agencies by the names bylines and datelines use for them. Matching folds case.
AGENCIES = frozenset(
    name.casefold()
    for name in (
        "AP", "Associated Press", "The Associated Press", "AFP", "Agence France-Presse",
        "Agence France Presse", "Reuters", "Thomson Reuters", "dpa", "Deutsche Presse-Agentur",
        "EFE", "Agencia EFE", "ANSA", "Xinhua", "Xinhua News Agency", "PA", "PA Media",
        "Press Association", "PA Wire", "UPI", "United Press International", "Bloomberg",
        "Bloomberg News", "Kyodo", "Kyodo News", "Yonhap", "Yonhap News Agency", "AAP",
        "Australian Associated Press", "The Canadian Press", "Canadian Press", "APA", "KNA",
        "epd", "SDA", "Keystone-SDA", "Europa Press", "Lusa", "ANP", "Belga", "NTB", "TT",
        "Ritzau", "CTK", "PAP", "PTI", "Press Trust of India", "IANS", "ANI", "Bernama",
        "Antara", "Anadolu", "Anadolu Agency", "TASS", "Interfax", "Jiji", "Jiji Press",
        "Agência Brasil", "Agencia Brasil", "WAFA", "KUNA", "MENA", "SPA", "AA", "CNA",
        "Central News Agency", "NTB Scanpix", "AFX", "Dow Jones", "Dow Jones Newswires",
    )
)  # fmt: skip
# Words that, ending a name, make it a group rather than a person ("MND Staff").
COLLECTIVE_WORDS = wordset(
    "team desk staff editors editorial newsroom board bureau agency contributors writers "
    "reporters services wires"
)
# A collective name made only of these is no one in particular ("Staff", "News Desk").
_GENERIC = wordset(
    "the news web online digital desk staff team editors editorial newsroom board bureau "
    "writers reporters contributors our sports business metro"
)

# Spellings of agencies inside a text: case matters here ("ap" and "pa" are words).
_TEXT_AGENCY = (
    r"AP|AFP|Reuters|dpa|DPA|EFE|ANSA|Xinhua|Kyodo|Yonhap|PA|UPI|AAP|PTI|IANS|ANI|APA|KNA|"
    r"epd|SDA|sda|Lusa|Bernama|Antara|TASS|Interfax|Anadolu|Jiji|Europa Press|AA|CNA|ANP|Belga"
)
_AGENCY_RUN = rf"(?:{_TEXT_AGENCY})(?:\s*/\s*(?:{_TEXT_AGENCY}|[a-z]{{1,4}}))*"
# "BERLIN (dpa) -" or "(AP) —" near the start of the story.
_LEAD_CREDIT = re.compile(rf"^.{{0,80}}?\((?P<run>{_AGENCY_RUN})\)\s*[-–—:]")
# A closing signature: a last line that is only the credit, or "... (dpa)" / "— Reuters".
_TAIL_LINE = re.compile(rf"^\W*(?P<run>{_AGENCY_RUN})\W*$")
_TAIL_END = re.compile(rf"(?:\((?P<paren>{_AGENCY_RUN})\)|[-–—]\s*(?P<dash>{_AGENCY_RUN}))\s*$")
_RUN_SPLIT = re.compile(r"\s*/\s*")


def is_agency(name: str) -> bool:
    return " ".join(name.split()).casefold() in AGENCIES


def is_collective_credit(name: str) -> bool:
    """A group with a name of its own: "MND Staff", "TOI Lifestyle Desk", not "Staff"."""
    words = [w.casefold().strip(".,:") for w in name.split()]
    return (
        len(words) > 1
        and words[-1] in COLLECTIVE_WORDS
        and any(w not in _GENERIC for w in words)
    )


def _agencies(run: str) -> list[str]:
    # "dpa/afp/lw": the lower-case initials after the agencies are the editor's, not a credit.
    return [part for part in _RUN_SPLIT.split(run) if is_agency(part)]


def agency_credits_in_text(paragraphs: list[str]) -> list[str]:
    """Agencies the story's text credits in its dateline or its closing signature."""
    found: list[str] = []
    if paragraphs:
        lead = _LEAD_CREDIT.match(paragraphs[0])
        if lead:
            found += _agencies(lead["run"])
        last = paragraphs[-1].strip()
        line = _TAIL_LINE.match(last) if len(last) <= 40 else None
        end = _TAIL_END.search(last)
        if line:
            found += _agencies(line["run"])
        elif end:
            found += _agencies(end["paren"] or end["dash"])
    return found


def merge_credits(*groups: list[str]) -> list[str]:
    """The credits of every group, each once (case-insensitive), in first-seen order."""
    seen: set[str] = set()
    out: list[str] = []
    for group in groups:
        for name in group:
            key = " ".join(name.split()).casefold()
            if key and key not in seen:
                seen.add(key)
                out.append(" ".join(name.split()))
    return out
