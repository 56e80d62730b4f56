"""What trafilatura lets through on news sites and the record does not want: newsletter promos,
donation appeals, share prompts, credit lines, cookie notices, ad slots, the appeal block at
the end of a story, a repeated headline and a byline paragraph."""

from __future__ import annotations

import re

from newsmill.pipeline.extract.authors import clean_authors
from newsmill.pipeline.extract.title import fold_title


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _on_lowered(*patterns: str) -> tuple[str, ...]:
    """Patterns for text lower-cased once by the caller (`re` is a fifth faster without
    IGNORECASE), compiled below. Each is one alternative: a `|` only inside a group."""
    return patterns


_APOS = "['’]"
_SHARE_ITEM = (
    r"(?:share|tweet|email|e-mail|print|pin it|whatsapp|copy link|save|facebook|twitter|x|"
    r"linkedin|reddit|pinterest|telegram|bluesky|threads)"
    r"(?: (?:this|on|via|to|with|a) [\w .]{0,30}?)?"
)
# (pattern on lower-cased text, longest line in words it applies to). Long paragraphs that
# mention these things are article prose; promos and prompts are short.
_BOILERPLATE: tuple[tuple[tuple[str, ...], int], ...] = (
    # newsletter promos
    (
        _on_lowered(
            r"^(?:start|begin) your (?:day|morning|week|weekend) with\b",
            r"\b(?:sign(?:ing)? up|subscribe|register)(?: now| today| here)? (?:for|to)\b"
            r".{0,50}\bnewsletters?\b",
            r"\bnewsletters?\b.{0,60}\b(?:sign up|subscribe)(?: now| today| here| below)?\W*$",
            r"^(?:join|get|subscribe to|sign up for) (?:our|the|my) .{0,40}\bnewsletters?\b",
            r"\b(?:delivered|sent|straight|directly|direct)\b.{0,30}\b(?:to|in) your inbox\b",
            r"^get (?:our|the) .{0,50}\bnewsletters?\b",
            r"\benter your e-?mail(?: address)?\b",
            r"^(?:subscribe|sign up|register)(?: now| today| here| for free| to us)?\W*$",
        ),
        30,
    ),
    # donation and membership appeals
    (
        _on_lowered(
            rf"^since you{_APOS}re here\b",
            rf"^as you{_APOS}re here\b",
            r"^before you go\W*$",
            r"\b(?:support|fund)(?:ing)? (?:our|independent|quality|public[- ]interest) "
            r"(?:journalism|reporting|media|news)\b",
            r"\b(?:make|making|consider) (?:a )?(?:one-off |monthly |regular |small )?"
            r"(?:donation|contribution)\b",
            r"^(?:donate|support us|become a (?:member|supporter|patron|subscriber))\b",
            r"\bplease (?:help us|support us|consider supporting|donate)\b",
            r"\bwe need your (?:help|support)\b",
        ),
        45,
    ),
    # share / follow prompts, alone or as a bar ("Share on Facebook | Tweet | Email")
    (
        _on_lowered(
            rf"^{_SHARE_ITEM}(?:\s*[|·•/]\s*{_SHARE_ITEM})*\W*$",
            r"^click to (?:share|email|print|tweet)\b",
            r"^(?:print|email|e-mail|share) this (?:article|story|post|page)\b",
            r"^share (?:this|the) (?:article|story|post|page)\b",
            r"^follow (?:us|me|@?[\w.]+(?: [\w.]+)?) on (?:twitter|x|facebook|instagram|linkedin|"
            r"tiktok|threads|bluesky|youtube|telegram|mastodon|google news)\b",
        ),
        24,
    ),
    (_on_lowered(r"\bfollow us on (?:twitter|x|facebook|instagram|linkedin|tiktok|youtube)\b"), 35),
    # links to other stories
    (
        _on_lowered(
            r"^(?:related|read more|read also|also read|see also|read next|recommended|"
            r"more from|more on this(?: story)?|more stories|you (?:may|might) also like|"
            r"related (?:articles|stories|posts|content|coverage|reading)|further reading|"
            r"also on|watch|listen|most popular|trending)\s*(?:[:\-–—|»]|$)"
        ),
        25,
    ),
    # credit lines for images and syndicated content
    (
        _on_lowered(
            r"^(?:featured |header |lead |top |main |cover |hero )?(?:image|photo|photograph|"
            r"picture|illustration|video|graphic)s?\b.{0,40}?\b(?:via|courtesy of|credit)\b",
            r"^(?:featured? |header |lead |top |main |cover |hero )(?:image|photo|picture)s?\b"
            r".{0,30}?\bby\b",
            r"^(?:photo |image |picture )?(?:credits?|source)\s*:",
            r"^(?:photos?|images?|pictures?)\s*:",
        ),
        15,
    ),
    # affiliate and editorial disclosures
    (
        _on_lowered(
            r"\b(?:earn|earns|receive|get)\b.{0,40}\b(?:commissions?|from qualifying purchases)\b",
            r"\bchosen independently by our editors\b",
            r"\bas an amazon associate\b",
        ),
        40,
    ),
    # a labelled disclosure is one whatever its length
    (_on_lowered(r"^(?:affiliate |advertising |editorial )?disclosure\s*:"), 90),
    # links to the neighbouring posts ("Next article: Go wins an award")
    (_on_lowered(r"^(?:next|previous|prev)(?: (?:article|post|story))?\s*:"), 15),
    # interface labels that trafilatura keeps as one-line paragraphs
    (
        _on_lowered(
            r"^(?:subscribe|share|sign up|sign in|log ?in|follow us|newsletters?|"
            r"pin (?:it|for later)|table of contents|back to (?:blog|blogs|top|news|all posts)|"
            r"(?:next|previous) (?:article|post|story)|tags|home|privacy policy|"
            r"terms (?:&|and) conditions|terms of (?:use|service)|copyright)\W*$",
            r"^\W*\d+\s*(?:min|mins|minutes?)(?: read)?\W*$",
            r"^(?:written|posted|published) by\b(?:\s+[\w.'’-]+){1,4}$",
        ),
        6,
    ),
    # reader prompts
    (
        _on_lowered(
            r"\bleave a (?:star )?rating\b",
            r"\brate this (?:recipe|article|post)\b",
            r"\breceive notifications\b",
            r"\bfunded by readers\b",
        ),
        30,
    ),
    # calls to action on company blogs ("Try X free for 14 days", "Book a demo")
    (
        _on_lowered(
            r"^(?:try|start)\b.{0,40}\bfree\b.{0,20}(?:\bfor \d+ days\b|\btrial\b|\W*$)",
            r"^(?:book|request|schedule|get) (?:a|your) (?:free )?(?:demo|consultation|quote)\b",
            r"^(?:get started|start now|sign up)(?: (?:for free|today|now))?\W*$",
            r"^join [\w.]+ for free\b",
        ),
        12,
    ),
    # cookie notices
    (
        _on_lowered(
            r"\b(?:we|this (?:site|website)) uses? cookies\b",
            r"\baccept (?:all )?cookies\b",
            r"\bcookie (?:policy|settings|preferences|consent)\b",
        ),
        45,
    ),
    # ad slots and comment prompts
    (
        _on_lowered(
            r"^(?:advertisement|advertising|sponsored(?: content)?|ad|"
            r"(?:story|article) continues below(?: (?:this )?advertisement)?|"
            r"continue reading (?:below|the main story)|scroll to continue(?: with content)?)\W*$",
            r"^(?:leave a (?:comment|reply)|comments? (?:are )?closed|join the (?:conversation|"
            r"discussion)|post a comment|add a comment|(?:view|show|load) comments)\b",
        ),
        8,
    ),
)

# A line that opens the appeal block publishers append after the story: it and everything after
# it go, provided at least as much text comes before it as after it. Every pattern is anchored
# at the start, so it is tried there only (`match`).
_TAIL_START = _rx(
    rf"^since you{_APOS}re here\b",
    rf"^as you{_APOS}re here\b",
    r"^before you go\b",
    r"^(?:we|i) have a (?:small|quick) (?:favou?r|request) to ask\b",
    r"^(?:thank you|thanks) for reading\b",
    r"^(?:if|did) you (?:enjoy|enjoyed|value|like|liked|appreciate|appreciated) (?:this|our|"
    r"reading|what)\b",
    r"^(?:support|help) (?:us|our|independent|the)\b.{0,60}\b(?:journalism|reporting|work|media)\b",
    rf"^you{_APOS}ve read \d+",
    r"^(?:join|become) (?:us|our|a) (?:member|supporter|subscriber|patron)",
)
# Short trailing lines that are site furniture ("The Canary Support", "Tags: ...").
_TAIL_FURNITURE = _rx(
    r"^(?:[\w’'&.-]+ ){0,4}(?:support|donate|subscribe|newsletters?|membership)\W*$",
    r"^(?:tags?|topics?|filed under|categories|posted in|share this)\s*:",
    r"^(?:copyright|©)",
    r"\ball rights reserved\b",
)

# No pattern above applies to a paragraph longer than this.
_LONGEST = max(limit for _, limit in _BOILERPLATE)


def _joined(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _for_length(least: int) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The patterns above whose limit is at least `least`, joined in two: those anchored at
    the start (tried once, at the start) and the rest (searched)."""
    applicable = [p for patterns, limit in _BOILERPLATE if limit >= least for p in patterns]
    return (_joined([p.removeprefix("^") for p in applicable if p.startswith("^")]),
            _joined([p for p in applicable if not p.startswith("^")]))


_LIMITS = sorted({limit for _, limit in _BOILERPLATE})
_AT_LEAST = {limit: _for_length(limit) for limit in _LIMITS}
# For each paragraph length, the patterns that apply to it, joined. One search per paragraph
# instead of one per group, and the anchored half tried at the start only, not at every
# position: 0.3 ms a page instead of 1.5 (3% of extraction's time), same verdicts on the
# 24,294 paragraphs of 300 development pages.
_BY_LENGTH = [_AT_LEAST[next(lim for lim in _LIMITS if lim >= words)]
              for words in range(_LONGEST + 1)]


def _is_boilerplate(para: str, words: int) -> bool:
    if words > _LONGEST:
        return False
    lowered = para.lower()
    anchored, floating = _BY_LENGTH[words]
    return (anchored is not None and anchored.match(lowered) is not None) or (
        floating is not None and floating.search(lowered) is not None)


def filter_boilerplate(paragraphs: list[str], title: str | None = None) -> list[str]:
    """Drop promo, appeal, share, credit, cookie and ad paragraphs (see the patterns above),
    the appeal block at the end of the story, and a leading repeat of the headline."""
    kept = list(paragraphs)
    # The appeal block first: its opening line is also a one-line pattern below, and once that
    # is gone the block would lose its marker.
    sizes = [len(p.split()) for p in kept]
    total = sum(sizes)
    before = 0
    for i, (para, words) in enumerate(zip(kept, sizes, strict=True)):
        if i > 0 and words <= 60 and _TAIL_START.match(para) and before >= total - before:
            kept, sizes = kept[:i], sizes[:i]
            break
        before += words
    kept = [
        para
        for para, words in zip(kept, sizes, strict=True)
        if not _is_boilerplate(para, words)
    ]
    while kept and len(kept[-1].split()) <= 8 and _TAIL_FURNITURE.search(kept[-1]):
        kept.pop()
    if title and kept and fold_title(kept[0]) == fold_title(title):
        # trafilatura keeps the <h1> when it sits inside the article; the record has it already
        kept = kept[1:]
    return kept


def drop_byline(paragraphs: list[str], authors: list[str]) -> list[str]:
    """Remove a byline paragraph ("By Jane Doe and John Roe") the extractor kept at the top:
    the names are in `authors` already."""
    if not authors:
        return paragraphs
    known = {a.casefold() for a in authors}
    for i, para in enumerate(paragraphs[:2]):
        if len(para.split()) > 12:
            continue
        names = clean_authors([para])
        if names and all(n.casefold() in known for n in names):
            return paragraphs[:i] + paragraphs[i + 1 :]
    return paragraphs
