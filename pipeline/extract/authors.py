"""Author values -> person names.

Prefixes ("By", "Words:"), roles ("Staff Writer"), e-mail addresses, URLs, handles and the
site's own name are removed; names are split on "and", "&", commas and semicolons,
deduplicated case-insensitively, and title-cased only when written in capitals.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from newsmill.pipeline.extract.organizations import is_agency, is_collective_credit
from newsmill.pipeline.extract.site_names import site_name_keys, squash
from newsmill.pipeline.extract.whitespace import normalise_space, wordset

_BYLINE_PREFIX = re.compile(
    r"^(?:(?:words|text|story|reporting|report|written|posted|published|compiled|edited|"
    r"article|interview|review|recipe|photos?|pictures?)(?:\s+and\s+\w+)?\s+by|by|words|text|"
    r"authors?|written by|posted by|reporting by)(?:\s*[:\-–—]\s*|\s+)",
    re.IGNORECASE,
)
# "Von"/"par"/"por" start surnames too ("Von Miller"), so they count as a prefix only when a
# full name follows.
_FOREIGN_PREFIX = re.compile(r"^(?:von|par|por|di|door|av)\s+(?=\S+\s+\S)", re.IGNORECASE)
# Bylines scraped from the page often run on into the date line ("Jane Doe Last updated
# August 1") or start with a sentence ("This post was written by Jane Doe").
_DATELINE_TAIL = re.compile(
    r"\s+(?:(?:last\s+)?(?:updated|published|posted|modified|reviewed)\b|on\s+(?=\S*\d|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)))"
    r".*$",
    re.IGNORECASE,
)
_SENTENCE_HEAD = re.compile(
    r"^.{0,40}?\b(?:written|posted|authored|reported|compiled|created)\s+by\s+", re.IGNORECASE
)
_SPLIT = re.compile(
    r"\s+[-–—]\s+|\s*(?:,|;|\||/|•|·|\band\b|&|\bund\b|\bet\b|\by\b|\be\b)\s*", re.IGNORECASE
)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URLISH = re.compile(r"(?i:https?://|www\.)\S*|\b[\w-]+\.[a-z]{2,6}\b(?:/\S*)?")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ROLE_WORDS = wordset(
    """
    staff writer writers reporter reporters correspondent correspondents editor editors editorial
    contributor contributors columnist journalist journalists team desk newsroom news agency
    admin administrator guest author authors board senior chief political business deputy
    associate assistant managing executive special sports science health technology tech
    foreign national local digital video photo photographer photographers producer producers
    anchor host intern freelance freelancer wire wires service services press online web
    content opinion contributing graphics data investigations investigative director directors
    manager president officer founder co-founder cofounder ceo cto cfo head operations marketing
    expert experts specialist consultant dietitian nutritionist strategist coordinator lead
    advisor analyst sr. sr jr. vp
    """
)
# Role words that end an organisation's name rather than a job title ("Reuters Staff").
_ORG_ROLE_END = wordset("team desk staff board services wires agency newsroom")
# A shared account's name ends in one of these ("NOC Admin").
_ACCOUNT_WORDS = wordset("admin administrator webmaster moderator")
# A name that ends in one of these is a group, not a person ("TOI Lifestyle Desk", "The
# Currency editors"); stripping the word would leave a fake name behind.
_COLLECTIVE_WORDS = wordset(
    "team desk staff editors editorial newsroom board bureau agency contributors writers "
    "reporters services wires"
)
# Names that are never a person on their own.
_NOT_PEOPLE = frozenset(
    {
        "admin",
        "administrator",
        "staff",
        "editor",
        "editors",
        "editorial",
        "guest",
        "anonymous",
        "unknown",
        "newsroom",
        "news desk",
        "web desk",
        "editorial board",
        "editorial staff",
        "the editors",
        "staff reporter",
        "staff writer",
        "associated press",
        "the associated press",
        "ap",
        "afp",
        "reuters",
        "pa",
        "pa media",
        "press association",
        "dpa",
        "efe",
        "ansa",
        "bloomberg",
        "upi",
        "xinhua",
        "full bio",
        "bio",
        "name",
        "author",
        "about the author",
        "view profile",
        "profile",
        "posts",
        "more",
        "contact",
        "guest post",
        "guest author",
        "sponsored",
        "advertorial",
        "user",
        "webmaster",
        "root",
        "wordpress",
        "site admin",
        "read more",
        "see more",
        "view all posts",
        "all posts",
    }
)
# Post-nominal credentials that follow a name in a comma list ("Jane Doe, MS, RD").
_CREDENTIAL = re.compile(
    r"^[A-Z][A-Z0-9&.-]{1,7}®?$"
    r"|^(?i:ph\.?\s?d|m\.?d|d\.?o|jr|sr|esq|mba|msc|bsc|rn|dds|dvm|cpa|cfa|cfp)\.?$"
)
# Words that make a name an organisation's, for the one case where that matters: an author
# equal to the site's name is kept only when it reads as a person ("Rick Steves" on
# ricksteves.com) and dropped when it reads as a brand ("Cleveland Clinic", "The Canary").
ORG_WORDS = wordset(
    """
    news times post daily weekly journal herald tribune gazette chronicle telegraph guardian
    independent observer express mail mirror star sun today tv radio media press network
    magazine online digital group company co inc ltd llc plc corp corporation foundation
    institute university college school clinic hospital health bank capital partners agency
    studio studios marketing solutions services consulting security labs lab software systems
    technologies tech global international association society council center centre club
    official blog channel store shop review reviews guide travel photography trust charity
    fund museum library church federation union alliance coalition project initiative committee
    dental care law firm realty insurance
    """
)
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]+)*\.?$")


def _looks_like_person(name: str) -> bool:
    # "annette thurmon", a profile name typed in lower case, is still a name
    words = (name.title() if name.islower() else name).split()
    if not 2 <= len(words) <= 4 or words[0].casefold() == "the":
        return False
    return all(
        _NAME_WORD.match(w) and w[0].isupper() and w.casefold() not in ORG_WORDS for w in words
    )


# Words that never occur in a person's name and always in an institution's. Kept short on
# purpose: "Post", "Star", "Church" or "Bank" are surnames too.
_INSTITUTION = re.compile(
    r"\b(?:center|centre|institute|university|college|association|foundation|corporation"
    r"|committee|council|department|administration|federation|hospital|museum|library"
    r"|inc|llc|ltd|plc|gmbh)\b",
    re.IGNORECASE,
)
# "Surname, Given [Middle]" with one comma: citation style, not a list of two people.
_SURNAME_FIRST = re.compile(
    r"(?P<surname>[A-Z][^\W\d_]+(?:[-'’][A-Z]?[^\W\d_]+)?),\s+"
    r"(?P<given>[A-Z][^\W\d_]+(?:\s+[A-Z]\.?){0,2}|[A-Z]\.(?:\s?[A-Z]\.){0,2})"
)
_LABEL_ONLY = frozenset({"written", "by", "posted", "author", "authors", "words", "story"})
# Words that show a date line or a UI label was taken for a byline ("Updated Dec 3").
_NOT_IN_NAMES = frozenset(
    {"updated", "published", "posted", "ago", "min", "mins", "read", "about", "author"}
)
# A single token with a dot or underscore inside is a user name ("andrew.keaveney").
_USERNAME = re.compile(r"^\S*[._]\S*$")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def _strip_role(name: str) -> str:
    """Drop a trailing job title: "Jane Doe Political Correspondent" -> "Jane Doe"."""
    words = name.split()
    while len(words) > 2 and words[-1].casefold().strip(".,") in _ROLE_WORDS:
        words.pop()
    return " ".join(words)


def _is_role_only(name: str) -> bool:
    words = [w.casefold().strip(".,:") for w in name.split()]
    return bool(words) and all(w in _ROLE_WORDS or w in ("of", "the", "for", "a") for w in words)


def _is_collective(name: str) -> bool:
    """ "Newsroom Staff", "Team Tiger", "NOC Admin": a group or an account, not a person."""
    words = [w.casefold().strip(".,:") for w in name.split()]
    return len(words) > 1 and (
        words[-1] in _COLLECTIVE_WORDS or words[-1] in _ACCOUNT_WORDS or words[0] == "team"
    )


def _case(name: str) -> str:
    letters = _LETTERS.findall(name)
    if len(letters) > 1 and name.isupper():
        return " ".join(
            "-".join(part.capitalize() for part in word.split("-")) for word in name.split()
        )
    return name


def clean_author_name(raw: str, site_keys: set[str] | None = None) -> list[str]:
    """One raw author value (possibly several people) -> clean person names.

    `site_keys` (from `site_name_keys`) removes the site's own name.
    """
    return split_credit(raw, site_keys)[0]


def _is_job_title(part: str) -> bool:
    """ "Education Reporter", "Senior Political Correspondent": the role after a name's comma."""
    words = [w.casefold().strip(".,:") for w in part.split()]
    return 1 <= len(words) <= 5 and words[-1] in _ROLE_WORDS and words[-1] not in _ORG_ROLE_END


def split_credit(raw: str, site_keys: set[str] | None = None) -> tuple[list[str], list[str]]:
    """One raw author value -> (person names, organisations credited).

    Organisations are news agencies, named desks and teams ("MND Staff"), institutions and
    the site itself; roles, accounts and page furniture are neither.
    """
    if not raw:
        return [], []
    orgs: list[str] = []
    value = normalise_space(html.unescape(raw))
    value = _PARENS.sub(" ", value)
    value = _SENTENCE_HEAD.sub("", _DATELINE_TAIL.sub("", value))
    value = _EMAIL.sub(" ", value)
    value = _URLISH.sub(" ", value)
    value = _HANDLE.sub(" ", value)
    value = normalise_space(value)
    if _INSTITUTION.search(value):
        # "Center for Drug Evaluation and Research", "Jane Doe, Harvard University": an
        # institution's name, whose "and" or comma does not separate people.
        alone = _BYLINE_PREFIX.sub("", value).strip(" .:-–—")
        return [], [alone] if len(alone.split()) <= 8 and "," not in alone else []
    if is_agency(_BYLINE_PREFIX.sub("", value).strip(" .:-–—")):
        # "Agence France-Presse", "The Associated Press": one credit, whatever its punctuation.
        return [], [_BYLINE_PREFIX.sub("", value).strip(" .:-–—")]
    inverted = _SURNAME_FIRST.fullmatch(value)
    if inverted and not _CREDENTIAL.match(inverted["given"].split()[0]):
        # "Kaufman, Jeff T." (citation style) is one person, not two.
        value = f"{inverted['given']} {inverted['surname']}"
    names: list[str] = []
    for i, part in enumerate(_SPLIT.split(value)):
        part = normalise_space(part).strip(" .:-–—'\"")
        # Prefixes can repeat after a split ("By A and by B").
        for _ in range(2):
            part = _BYLINE_PREFIX.sub("", part).strip(" .:-–—")
            part = _FOREIGN_PREFIX.sub("", part)
        if not part:
            continue
        if " " not in part and ((i > 0 and _CREDENTIAL.match(part)) or _USERNAME.match(part)):
            continue
        low = part.casefold()
        if is_agency(part) or is_collective_credit(part):
            orgs.append(part)
            continue
        if i > 0 and names and _is_job_title(part):
            continue  # "Greta Lind, Education Reporter": her job, not a second author
        if low in _NOT_PEOPLE or _is_role_only(part) or _is_collective(part):
            continue
        if site_keys and squash(part) in site_keys and not _looks_like_person(part):
            orgs.append(part)
            continue
        part = _strip_role(part)
        if _is_collective(part) or (
            site_keys and squash(part) in site_keys and not _looks_like_person(part)
        ):
            # "HomeAdvisor Staff Writer" is a desk once its role is gone.
            if is_collective_credit(part) or not _is_collective(part):
                orgs.append(part)
            continue
        if any(w.casefold() in _NOT_IN_NAMES for w in part.split()):
            continue
        if all(w.casefold() in _LABEL_ONLY for w in part.split()):
            continue  # "Written By" with the name missing
        if any(ch.isdigit() for ch in part) or len(_LETTERS.findall(part)) < 2:
            continue
        if " " not in part and part.islower():
            # a lone lower-case word is a user name or a stray word, not a byline
            continue
        if len(part.split()) > 5:
            # Longer than a name: a sentence or a bio that leaked into the author field.
            continue
        names.append(_case(part))
    return names, orgs


def clean_authors(values: Iterable[str], site_names: Iterable[str | None] = ()) -> list[str]:
    """Raw author values -> deduplicated person names, in first-seen order."""
    return clean_credits(values, site_names)[0]


def clean_credits(
    values: Iterable[str], site_names: Iterable[str | None] = ()
) -> tuple[list[str], list[str]]:
    """Raw author values -> (person names, organisations), each deduplicated
    case-insensitively, in first-seen order."""
    keys = site_name_keys(site_names)
    people: dict[str, str] = {}
    orgs: dict[str, str] = {}
    for raw in values:
        names, credited = split_credit(raw, keys)
        for name in names:
            people.setdefault(name.casefold(), name)
        for org in credited:
            orgs.setdefault(normalise_space(org).casefold(), normalise_space(org))
    return list(people.values()), list(orgs.values())
