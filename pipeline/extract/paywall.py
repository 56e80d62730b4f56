"""Whether the page served only a teaser behind a paywall: `paywalled` of the record.

True when the JSON-LD Article says `isAccessibleForFree: false` (or marks a `hasPart` section
not free whose `cssSelector` matches an element of the page), or when a paywall box (class or
id naming a paywall, a registration wall or subscriber-only content) asks the reader to
subscribe or log in to read on, or the text itself stops at such a prompt. False when the
JSON-LD says the article is free. None otherwise: metering scripts sit on free pages too, so
their presence alone says nothing.

A paywalled page still gives its record (the teaser, flagged); nothing here adds text.
"""

from __future__ import annotations

import re
from typing import Any

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from newsmill.pipeline.extract.ld_article import LdArticle

_MARKED = etree.XPath("//body//*[@class or @id]")
_PAYWALL_MARK = re.compile(
    r"(?:^|[\s_-])(?:paywall|pay-wall|regwall|piano-offer|tp-container|subscriber-only|"
    r"subscribers-only|premium-content|locked-content|article-locked|meter-wall|gated|"
    r"metered-content)(?:$|[\s_-])",
    re.IGNORECASE,
)
_PAYWALL_WORDS = ("paywall", "pay-wall", "regwall", "piano-offer", "tp-container", "subscriber",
                  "premium-content", "locked-content", "article-locked", "meter-wall", "gated",
                  "metered-content")
# A prompt to pay or log in to read on; not a donation appeal ("support our journalism").
_PROMPT = re.compile(
    r"\b(?:subscribe|subscription|subscriber|subscribers|sign in|log in|login|register|"
    r"become a member|members only)\b.{0,80}\b(?:continue|keep|read|reading|access|unlock|"
    r"full (?:story|article))\b|\b(?:continue|keep) reading\b.{0,60}\b(?:subscri|member|log in|"
    r"sign in)|\b(?:this|the) (?:article|story|content) is (?:for|only available to|exclusive "
    r"to) (?:paying |our )?(?:subscribers|members)\b",
    re.IGNORECASE,
)
# A newsletter sign-up ("subscribe to our newsletter to read more") is no paywall.
_NOT_A_WALL = re.compile(r"newsletter|podcast|donat", re.IGNORECASE)
MAX_PROMPT_CHARS = 600


def _free(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _part_not_free_here(tree: HtmlElement, parts: Any) -> bool:
    for part in parts if isinstance(parts, list) else [parts]:
        if not isinstance(part, dict) or _free(part.get("isAccessibleForFree")) is not False:
            continue
        selector = part.get("cssSelector")
        if not isinstance(selector, str):
            return True  # a part not free, without saying where: the article is not free
        try:
            if CSSSelector(selector)(tree):
                return True
        except (SelectorError, SyntaxError, ValueError):
            continue
    return False


def _ld_verdict(tree: HtmlElement, ld: LdArticle) -> bool | None:
    free = _free(ld.get("isAccessibleForFree"))
    if free is False:
        return True
    if _part_not_free_here(tree, ld.get("hasPart")):
        return True
    return None if free is None else False


def _prompt(text: str) -> bool:
    return bool(_PROMPT.search(text)) and not _NOT_A_WALL.search(text)


def _prompt_box(tree: HtmlElement, class_values: list[str]) -> bool:
    joined = " ".join(class_values).lower()
    if not any(word in joined for word in _PAYWALL_WORDS):
        return False  # a plain substring test over them all: most pages have no paywall box
    for box in _MARKED(tree):
        if not _PAYWALL_MARK.search(f"{box.get('class') or ''} {box.get('id') or ''}"):
            continue
        text = " ".join(box.text_content().split())
        if text and len(text) <= MAX_PROMPT_CHARS * 4 and _prompt(text):
            return True
    return False


def is_paywalled(tree: HtmlElement, ld: LdArticle, paragraphs: list[str],
                 class_values: list[str]) -> bool | None:
    """`tree` is the whole page; `paragraphs` the text as extracted, before boilerplate
    filtering (the prompt the text stops at is boilerplate, and goes); `class_values` the class
    and id values of the page's body (pipeline.extract.structure.class_values), read once for
    pruning and for this."""
    verdict = _ld_verdict(tree, ld)
    if verdict is not None:
        return verdict
    if _prompt_box(tree, class_values):
        return True
    last = paragraphs[-1] if paragraphs else ""
    if len(last) <= MAX_PROMPT_CHARS and _prompt(last):
        return True
    return None


def without_prompt(paragraphs: list[str]) -> list[str]:
    """The text without the subscription prompt it stops at ("Subscribe to continue reading"),
    which trafilatura keeps on a teaser page too short for the prompt box to look like
    furniture. Only trailing, short paragraphs go, and never the whole text."""
    end = len(paragraphs)
    while end > 1 and len(paragraphs[end - 1]) <= MAX_PROMPT_CHARS and _prompt(paragraphs[end - 1]):
        end -= 1
    return paragraphs if end == len(paragraphs) else paragraphs[:end]
