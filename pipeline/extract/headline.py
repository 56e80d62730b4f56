"""The text of a headline element as the reader takes it in: the headline, without the kicker
above it or the subtitle inside it.

News templates put more than the headline in their `<h1>`: a kicker or roofline ("Ernährung
sichern", "Immobilienkrise"), the section ("Politics |"), a subtitle, a label in `<small>`, or
text only screen readers get. Those parts sit in child elements whose class says what they are;
the headline is what remains. A `<br>` counts as a space ("Top MBA Programs<br>Your Guide").
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from newsmill.pipeline.extract.whitespace import normalise_space, wordset

# Class or id words of the parts of a heading that are not the headline.
_NOT_HEADLINE_WORDS = wordset(
    """
    kicker roofline roof overline eyebrow dachzeile topline toptitle supertitle overtitle
    subtitle subline subheadline subhead standfirst dek strapline h1small section category
    rubric label invisible hidden sr screen visually h3 h4 h5 h6
    """
)
_CLASS_WORD = re.compile(r"[a-z0-9]+")
# Elements whose text is never part of a headline.
_SKIPPED_TAGS = frozenset({"script", "style", "small", "time", "button", "template", "noscript"})


def _not_headline(node: HtmlElement) -> bool:
    if node.tag in _SKIPPED_TAGS:
        return True
    marker = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
    return any(word in _NOT_HEADLINE_WORDS for word in _CLASS_WORD.findall(marker))


def _text(el: HtmlElement, skip_parts: bool) -> str:
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if node.tag == "br":
            parts.append(" ")
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in ("script", "style"):
                if not (skip_parts and _not_headline(child)):
                    walk(child)
                else:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return normalise_space("".join(parts))


def headline_text(el: HtmlElement) -> str:
    """The headline of a heading element, kicker and subtitle left out; the whole visible
    text when nothing would be left without them."""
    return _text(el, skip_parts=True) or _text(el, skip_parts=False)
