"""Normalisation of the values that go into a record: dates, authors, titles, text, language.

Decisions this module makes (the record's contract depends on them):

- Dates are `YYYY-MM-DDTHH:MM:SSZ` in UTC. Offsets are converted. A value with a time but no
  offset is taken as UTC (publishers who omit the offset almost always mean the server's clock,
  and keeping the time is more useful than dropping it). A date without a time becomes midnight
  UTC of that day, so the calendar day survives unchanged. Dates more than one day after the fetch
  or before 1990 are implausible and become None: a wrong date is worse than no date.
- Authors are person names: prefixes ("By", "Words:"), roles ("Staff Writer"), e-mail addresses,
  URLs, handles and the site's own name are removed; names are split on "and", "&", commas and
  semicolons, deduplicated case-insensitively, and title-cased only when written in capitals.
- Text is NFC, one paragraph per line of the extractor's output, paragraphs separated by exactly
  one blank line, runs of spaces collapsed, no leading or trailing spaces.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _wordset(text: str) -> frozenset[str]:
    """A set of words written as a block of text: long vocabularies stay readable."""
    return frozenset(text.split())


EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

# ---------------------------------------------------------------------------------------------
# whitespace and text

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


# ---------------------------------------------------------------------------------------------
# dates

_ISO = re.compile(
    r"^(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{1,2}):?(?P<M>\d{2})(?::?(?P<S>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_SLASHED = re.compile(r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?P<rest>.*)$")

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# Abbreviations whose offset is unambiguous in news usage; anything else is ignored (-> UTC rule).
_TZ_ABBREV = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "bst": 1,
    "cet": 1,
    "cest": 2,
    "eet": 2,
    "eest": 3,
    "aest": 10,
    "aedt": 11,
    "jst": 9,
}
_WORDY = re.compile(
    r"^(?:[a-z]+,?\s+)?"  # weekday
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<mon1>[a-z]+)\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<mon2>[a-z]+)\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4}))"
    r"(?:,?\s*(?:at\s+)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
    r"\s*(?P<tz>[a-z]{1,5}|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def _offset(tz: str | None) -> timezone | None:
    if not tz:
        return None
    low = tz.lower()
    if low in _TZ_ABBREV:
        return timezone(timedelta(hours=_TZ_ABBREV[low]))
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})?", tz)
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    if minutes > 14 * 60:
        return None
    return timezone(sign * timedelta(minutes=minutes))


def _build(
    y: str, m: str | int, d: str, hh: str | None, mm: str | None, ss: str | None, tz: str | None
) -> datetime | None:
    try:
        value = datetime(
            int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=UTC
        )
    except ValueError:
        return None
    off = _offset(tz)
    if off is not None:
        value = value.replace(tzinfo=off)
    return value.astimezone(UTC)


def parse_datetime(value: object) -> datetime | None:
    """Parse the date shapes found in news metadata and feeds into an aware UTC datetime.

    Accepts ISO 8601 (with or without time, offset, fraction), RFC 2822 (feeds), `YYYY/MM/DD`,
    "8 January 2020", "January 8, 2020 9:15 AM EST", and Unix timestamps (seconds or ms).
    Returns None for anything else rather than guessing.
    """
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = normalise_space(value)
    if not text:
        return None
    if text.isdigit() and len(text) in (10, 13):
        return _from_epoch(float(text))
    m = _ISO.match(text)
    if m:
        return _build(m["y"], m["m"], m["d"], m["H"], m["M"], m["S"], m["tz"])
    m = _SLASHED.match(text)
    if m:
        rest = m["rest"].strip()
        iso = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
        return parse_datetime(f"{iso}T{rest}" if rest else iso)
    if "," in text[:5] or re.match(r"^\d{1,2} [A-Za-z]{3} \d{4} \d", text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parse_datetime(parsed)
    m = _WORDY.match(text)
    if m:
        mon = (m["mon1"] or m["mon2"] or "").lower().rstrip(".")
        if mon not in _MONTHS:
            return None
        day = m["d1"] or m["d2"]
        year = m["y1"] or m["y2"]
        hour = m["H"]
        if hour is not None and m["ampm"]:
            h = int(hour) % 12
            if m["ampm"].lower().startswith("p"):
                h += 12
            hour = str(h)
        return _build(year, _MONTHS[mon], day, hour, m["M"], m["S"], m["tz"])
    return None


def written_day(value: object) -> str | None:
    """The calendar day a date value states, in its own offset ("2025-12-19T01:00:00+05:30"
    -> "2025-12-19", where the record's UTC value is on the 18th); None when unparseable.

    Records stay in UTC; this is for comparing with sources that give the publisher's local
    day, like reference datasets and the dateline printed on the page.
    """
    if isinstance(value, str):
        text = normalise_space(value)
        m = _ISO.match(text) or _SLASHED.match(text)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                return None
        m = _WORDY.match(text)
        if m and (m["mon1"] or m["mon2"] or "").lower().rstrip(".") in _MONTHS:
            mon = _MONTHS[(m["mon1"] or m["mon2"] or "").lower().rstrip(".")]
            try:
                return date(int(m["y1"] or m["y2"]), mon, int(m["d1"] or m["d2"])).isoformat()
            except ValueError:
                return None
    parsed = parse_datetime(value)
    return parsed.date().isoformat() if parsed else None


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def format_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime(ISO_FORMAT)


def normalise_date(value: object, *, fetched_at: str | None = None) -> str | None:
    """`value` as `YYYY-MM-DDTHH:MM:SSZ`, or None when unparseable or implausible.

    Plausible means from 1990-01-01 up to one day after `fetched_at` (or after now, when the fetch
    time is unknown): a page cannot have been published after it was fetched, and the slack
    absorbs clock skew and time-zone mistakes.
    """
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    ceiling = parse_datetime(fetched_at) if fetched_at else None
    if ceiling is None:
        ceiling = datetime.now(UTC)
    if parsed < EARLIEST or parsed > ceiling + FUTURE_SLACK:
        return None
    return format_utc(parsed)


# ---------------------------------------------------------------------------------------------
# authors

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
_ROLE_WORDS = _wordset(
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
# A shared account's name ends in one of these ("NOC Admin").
_ACCOUNT_WORDS = _wordset("admin administrator webmaster moderator")
# A name that ends in one of these is a group, not a person ("TOI Lifestyle Desk", "The
# Currency editors"); stripping the word would leave a fake name behind.
_COLLECTIVE_WORDS = _wordset(
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
_ORG_WORDS = _wordset(
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
        _NAME_WORD.match(w) and w[0].isupper() and w.casefold() not in _ORG_WORDS for w in words
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


def _squash(value: str) -> str:
    """Comparison key for names: case-folded letters and digits only, leading "the" removed."""
    key = "".join(ch for ch in value.casefold() if ch.isalnum())
    return key[3:] if key.startswith("the") and len(key) > 6 else key


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"})


def site_name_keys(names: Iterable[str | None]) -> set[str]:
    """Comparison keys for a site's names: "The Canary", "thecanary.co", "www.thecanary.co"."""
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        name = name.strip().lower()
        if name.startswith("www."):
            name = name[4:]
        keys.add(_squash(name))
        labels = name.split(".")
        if " " not in name and (
            len(labels) == 2
            or (len(labels) == 3 and len(labels[2]) == 2 and labels[1] in _SECOND_LEVEL)
        ):
            # a registrable domain: its first label is the brand ("thecanary" for
            # thecanary.co); for deeper hosts the first label is a subdomain ("news.", "m.")
            keys.add(_squash(labels[0]))
    keys.discard("")
    return keys


def is_site_name(value: str, site_names: Iterable[str | None]) -> bool:
    """True when `value` is just one of the site's names ("The Northfield Post", its host)."""
    return _squash(value) in site_name_keys(site_names)


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
    """"Newsroom Staff", "Team Tiger", "NOC Admin": a group or an account, not a person."""
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
    if not raw:
        return []
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
        return []
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
        if low in _NOT_PEOPLE or _is_role_only(part) or _is_collective(part):
            continue
        if site_keys and _squash(part) in site_keys and not _looks_like_person(part):
            continue
        part = _strip_role(part)
        if _is_collective(part) or (
            site_keys and _squash(part) in site_keys and not _looks_like_person(part)
        ):
            # "HomeAdvisor Staff Writer" is a desk once its role is gone.
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
    return names


def clean_authors(values: Iterable[str], site_names: Iterable[str | None] = ()) -> list[str]:
    """Raw author values -> deduplicated person names, in first-seen order."""
    keys = site_name_keys(site_names)
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        for name in clean_author_name(raw, keys):
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                out.append(name)
    return out


# ---------------------------------------------------------------------------------------------
# titles

_TITLE_SEPARATORS = re.compile(r"\s+(?:[-|–—·•»«:]{1,2}|/|::)\s+")
_GENERIC_SUFFIX = ("news", "online", "com", "couk", "org", "net", "media", "magazine", "blog")


def _matches_site(segment: str, keys: set[str]) -> bool:
    seg = _squash(segment)
    if not seg:
        return False
    for key in keys:
        if seg == key:
            return True
        for suffix in _GENERIC_SUFFIX:
            if seg == key + suffix or key == seg + suffix:
                return True
    return False


def clean_title(title: str | None, site_names: Iterable[str | None] = ()) -> str:
    """The headline without the site's name around it.

    "Story - The Canary" and "The Canary | Story" lose the site name; in "Story – Site – Tagline"
    the site name and whatever follows it go. Segments that do not match a site name stay.
    """
    title = normalise_space(html.unescape(title or ""))
    keys = site_name_keys(site_names)
    if not title or not keys:
        return title
    while True:
        seps = list(_TITLE_SEPARATORS.finditer(title))
        if not seps:
            return title
        bounds = [0, *(m.start() for m in seps), len(title)]
        starts = [0, *(m.end() for m in seps)]
        segments = [title[starts[i] : bounds[i + 1]] for i in range(len(starts))]
        if _matches_site(segments[0], keys):
            title = title[seps[0].end() :].strip()
            continue
        cut = next((i for i in range(1, len(segments)) if _matches_site(segments[i], keys)), None)
        if cut is None:
            return title
        title = title[: seps[cut - 1].start()].strip()


# ---------------------------------------------------------------------------------------------
# language

_ISO639_1 = _wordset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
    de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg
    li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or
    os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta
    te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """
)
# Three-letter codes and names that pages put in lang attributes and feeds instead of 639-1.
_LANG_ALIASES = {
    "eng": "en", "english": "en", "fra": "fr", "fre": "fr", "french": "fr", "francais": "fr",
    "français": "fr", "deu": "de", "ger": "de", "german": "de", "deutsch": "de", "spa": "es",
    "spanish": "es", "español": "es", "ita": "it", "italian": "it", "por": "pt",
    "portuguese": "pt", "nld": "nl", "dut": "nl", "dutch": "nl", "rus": "ru", "russian": "ru",
    "zho": "zh", "chi": "zh", "chinese": "zh", "jpn": "ja", "japanese": "ja", "kor": "ko",
    "korean": "ko", "ara": "ar", "arabic": "ar", "pol": "pl", "polish": "pl", "swe": "sv",
    "swedish": "sv", "nor": "no", "nob": "nb", "nno": "nn", "norwegian": "no", "dan": "da",
    "danish": "da", "fin": "fi", "finnish": "fi", "tur": "tr", "turkish": "tr", "ces": "cs",
    "cze": "cs", "czech": "cs", "ell": "el", "gre": "el", "greek": "el", "heb": "he",
    "hebrew": "he", "hin": "hi", "hindi": "hi", "ukr": "uk", "ukrainian": "uk", "hun": "hu",
    "hungarian": "hu", "ron": "ro", "rum": "ro", "romanian": "ro", "cat": "ca", "catalan": "ca",
    "ind": "id", "indonesian": "id", "vie": "vi", "vietnamese": "vi", "tha": "th", "thai": "th",
    "fas": "fa", "per": "fa", "persian": "fa", "urd": "ur", "urdu": "ur", "ben": "bn",
    "bengali": "bn", "msa": "ms", "may": "ms", "malay": "ms",
    # withdrawn ISO 639-1 codes still seen in the wild
    "iw": "he", "in": "id", "ji": "yi",
}  # fmt: skip


def normalise_language(value: str | None) -> str | None:
    """`en-GB`, `en_US`, `eng`, `English` -> `en`; None for unknown, `und`, `mul`, `x-default`."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-")
    if not code:
        return None
    first = code.split("-")[0].split(",")[0].strip()
    if first in _ISO639_1:
        return first
    return _LANG_ALIASES.get(first) or _LANG_ALIASES.get(code)
