"""The visible byline of a page whose markup names no author.

Many blogs and CMS themes print the author on the page and nowhere else: a link to the author's
archive (`/author/jane-doe/`, `rel="author"`), an element whose class or id says `author` or
`byline`, or a label ("Written by", "By", "Posted by") with the name next to it. This module
reads those, in that order of reliability, and returns the first value that reads as a person's
name. trafilatura's own byline finder is kept as the last resort in `pipeline.extract.fusion`:
it searches more loosely and returns page furniture ("Dec", "Written By") more often.

Only short texts are considered (a byline is a name, not a bio), and nothing inside comment
threads, navigation or the footer: a commenter or a menu entry is not the author.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lxml import etree
from lxml.html import HtmlElement

from newsmill.pipeline.extract.authors import ORG_WORDS, clean_authors, clean_credits
from newsmill.pipeline.extract.organizations import is_agency, is_collective_credit
from newsmill.pipeline.extract.regions import furniture_pattern, in_furniture
from newsmill.pipeline.extract.site_names import site_name_keys, squash
from newsmill.pipeline.extract.whitespace import normalise_space, wordset

# Containers whose names are never the article's author.
_EXCLUDED = furniture_pattern(
    "comment", "respond", "reply", "footer", "sidebar", "widget", "related", "nav", "menu"
)

_AUTHOR_LINKS = etree.XPath(
    "//a[@rel='author' or contains(@href, '/author/') or contains(@href, '/authors/')"
    " or contains(@href, '/writers/') or contains(@href, '/people/') or contains(@href, '/by/')]"
)
_AUTHOR_CLASSES = etree.XPath(
    "//*[contains(@class, 'author') or contains(@class, 'byline') or contains(@class, 'Author')"
    " or contains(@class, 'Byline') or contains(@id, 'author') or contains(@id, 'byline')"
    " or contains(@itemprop, 'author')]"
)
# Class words that mark the parts of an author box that are not the name.
_NOT_NAME_CLASS = re.compile(
    r"(?:bio|desc|title|role|job|avatar|image|img|photo|social|date|time|label|count|posts)", re.I
)
_BOX_SCAN = 30
_DATE_AND_AUTHOR = re.compile(r"date|time", re.I)
_LABEL = re.compile(
    r"^(?:(?:written|posted|published|words|article|story|text|reported|reporting)\s+by"
    r"|authors?|contributors?|by)\s*:?$",
    re.I,
)
_LABELLED = re.compile(
    r"^(?:(?:written|posted|published|words|reported|story)(?:\s+on\s+[\w ,.]{3,30}?)?\s+)?"
    r"by\s*:?\s+(?P<name>.+)$",
    re.I,
)
_MAX_CHARS = 60
_LABEL_TAGS = (
    *("p", "span", "div", "li", "small", "strong", "em", "b", "dd", "dt", "address", "td"),
    *("h2", "h3", "h4", "h5", "h6"),
)
_SCAN_LIMIT = 40
# A person's name as bylines print it: two to four capitalised words ("Jean-Luc Aufranc",
# "Mary O'Neil", "A. J. Neal", "Ludwig van Beethoven" with its lower-case particle).
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "del", "di", "la", "le", "bin"})
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]*)*\.?$")


def _person_like(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 4:
        return False
    return (
        all(_NAME_WORD.match(w) and (w[0].isupper() or w.casefold() in _PARTICLES) for w in words)
        and words[0][0].isupper()
        # "West Bell Dental Care", "Harbour Media Group": capitalised, but not a person
        and not any(w.casefold() in ORG_WORDS for w in words)
    )


_CALENDAR = wordset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday mon tue wed thu fri sat sun today yesterday
    """
)
_LABEL_WORDS = frozenset({"written", "by", "posted", "author", "authors", "published", "follow"})


def trim_calendar(name: str) -> str:
    """Trim a date run-on: "Luke Kim December" -> "Luke Kim" (a loose byline hunt runs on
    into the date line). "May" stays: it is a surname as often as a month."""
    words = name.split()
    while len(words) > 1 and words[-1].casefold().strip(".,") in _CALENDAR - {"may"}:
        words.pop()
    return " ".join(words)


def plausible_name(name: str) -> bool:
    """A loosely found byline value that can be a person: a full name, or one capitalised
    word that is not a month, a weekday or a label ("Dec", "Written By" are page furniture)."""
    words = name.split()
    folded = [w.casefold().strip(".,") for w in words]
    if any(w in _CALENDAR for w in folded) or all(w in _LABEL_WORDS for w in folded):
        return False
    return _person_like(name) or (len(words) == 1 and words[0][0].isupper())


def _excluded(el: HtmlElement, labelled: bool = False) -> bool:
    """True inside comments, navigation, footers and sidebars. A labelled byline ("Author:
    Jane Doe") may sit in an <aside> of the article itself."""
    return in_furniture(el, _EXCLUDED, aside_of_article=labelled)


def _short_text(el: HtmlElement) -> str:
    # Adjacent elements are separate words ("<p>By</p><p>Jane Doe</p>" is not "ByJane Doe").
    text = normalise_space(" ".join(el.itertext()))
    return text if 0 < len(text) <= _MAX_CHARS else ""


def _without_site(name: str, keys: set[str]) -> str:
    """Trim a brand run-on: "Brian Truitt USA TODAY" -> "Brian Truitt"."""
    words = name.split()
    for k in range(len(words) - 1, 1, -1):
        if squash(" ".join(words[k:])) in keys:
            return " ".join(words[:k])
    return name


def _names(raw: str, site_names: Iterable[str | None]) -> list[str]:
    # Every candidate must read as a full name: even an archive link can be a menu entry
    # ("Our Authors"), and a class called "author" can hold a role or a date.
    keys = site_name_keys(site_names)
    names = [_without_site(n, keys) for n in clean_authors([raw], site_names)]
    return [n for n in names if _person_like(n)]


def _candidates(tree: HtmlElement) -> Iterator[str]:
    """Raw byline texts, most reliable first."""
    for el in _AUTHOR_LINKS(tree)[:_SCAN_LIMIT]:
        text = _short_text(el)
        if text and not _excluded(el):
            yield text
    for el in _AUTHOR_CLASSES(tree)[:_SCAN_LIMIT]:
        marker = f"{el.get('class') or ''} {el.get('id') or ''}"
        rest = marker.replace("author", "").replace("Author", "")
        if _DATE_AND_AUTHOR.search(rest) and not _excluded(el):
            # "dateAndAuthorContainer": a date and a name side by side, each in its own child.
            for child in el:
                if isinstance(child.tag, str) and (text := _short_text(child)):
                    yield text
            continue
        if _NOT_NAME_CLASS.search(rest) or _excluded(el):
            continue
        text = _short_text(el)
        if text:
            yield text
        elif len(el) and not _holds_a_headline(el):
            # An author box ("blog_author-box": photo, name, role, bio) is too long to be a
            # byline; its name is one of its short lines. (A box with a headline in it is a
            # teaser card of another post, whose author is not this page's.)
            for node in list(el.iterdescendants())[:_BOX_SCAN]:
                if isinstance(node.tag, str) and not len(node) and (line := _short_text(node)):
                    yield line
    yield from _labels(tree)
    yield from _icon_labelled(tree)


# A person icon standing in for the word "By": Bootstrap's "bi-person", theme classes like
# "icon-author". Not "user": that icon marks the log-in link far more often than a byline.
_PERSON_ICON = re.compile(r"(?:^|[\s_-])(?:person|author)(?:$|[\s_-])", re.I)


# Narrows the scan to elements whose class mentions a person before the exact token match.
_ICON_XPATH = (
    "//*[self::i or self::span or self::svg][contains(translate(@class, 'PERSONAUTH',"
    " 'personauth'), 'person') or contains(translate(@class, 'PERSONAUTH', 'personauth'),"
    " 'author')]"
)


def _icon_labelled(tree: HtmlElement) -> Iterator[str]:
    """ "<li><i class="bi bi-person"></i> Jane Doe</li>": the text after a person icon."""
    for icon in tree.xpath(_ICON_XPATH)[:_SCAN_LIMIT]:
        if not _PERSON_ICON.search(icon.get("class") or "") or normalise_space(icon.text_content()):
            continue
        if any(node.tag in ("a", "button", "header") for node in icon.iterancestors()):
            continue  # an account or log-in control, not a byline
        tail = normalise_space(icon.tail or "")
        following = icon.getnext()
        text = tail or (_short_text(following) if following is not None else "")
        if text and len(text) <= _MAX_CHARS and not _excluded(icon):
            yield text


def _holds_a_headline(el: HtmlElement) -> bool:
    return any(
        len(normalise_space(h.text_content()).split()) > 4
        for h in el.iter("h1", "h2", "h3", "h4", "h5", "h6")
    )


def _labels(tree: HtmlElement) -> Iterator[str]:
    """A "Written by" label and the name next to it, or "By Jane Doe" in one element."""
    seen = 0
    for el in tree.iter(_LABEL_TAGS):
        own = normalise_space(el.text or "")
        if not own or len(own) > _MAX_CHARS:
            continue
        if _LABEL.match(own):
            seen += 1
            following = el.getnext()
            tail = normalise_space(el.tail or "")
            link = next(el.iter("a"), None) if len(el) else None
            if link is not None and _short_text(link):
                # "<p>By <a>Jane Doe</a> | View in digital edition</p>": the link is the name.
                text = f"By {_short_text(link)}"
            elif len(el):  # the name is a child: "<span>By <span>Jane Doe</span></span>"
                text = _short_text(el)
            elif tail and len(tail) <= _MAX_CHARS:
                # "<strong>Contributors:</strong> Jane Doe": the name is the label's tail.
                text = f"By {tail}"
            elif following is not None:
                text = f"By {_short_text(following)}"
            else:
                continue
            if not _excluded(el, labelled=True):
                yield text
        elif (m := _LABELLED.match(own)) and not _excluded(el):
            # "Posted on May 3, 2024 by Jane Doe": the name is what follows "by".
            seen += 1
            full = _LABELLED.match(_short_text(el) or own)
            yield "By " + (full or m)["name"]
        if seen >= _SCAN_LIMIT:
            return


def find_byline(tree: HtmlElement, site_names: Iterable[str | None] = ()) -> list[str]:
    """Person names from the page's visible byline, or [] when it shows none."""
    return find_byline_credits(tree, site_names)[0]


def find_byline_credits(
    tree: HtmlElement, site_names: Iterable[str | None] = ()
) -> tuple[list[str], list[str]]:
    """(person names, agencies or desks) from the page's visible byline. A printed credit
    to an organisation counts only while no byline names a person: "By AP" in a byline box,
    "MND Staff" in an author link."""
    site_names = list(site_names)
    orgs: list[str] = []
    for raw in _candidates(tree):
        names = _names(raw, site_names)
        if names:
            return names, []
        if not orgs:
            credited = clean_credits([raw], site_names)[1]
            orgs = [o for o in credited if is_agency(o) or is_collective_credit(o)]
    return [], orgs
