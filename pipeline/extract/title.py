"""The record's `title`: the headline the reader sees, chosen among the page's title signals,
without the site's name around it."""

from __future__ import annotations

import re
from typing import Any

import regex
from lxml.html import HtmlElement

from newsmill.pipeline.extract.candidates import SIGNAL_TRAFILATURA, TEXT, PageMetadata, Sourced
from newsmill.pipeline.extract.site_names import is_site_name
from newsmill.pipeline.extract.title_clean import clean_title
from newsmill.pipeline.extract.typography import plain_typography
from newsmill.pipeline.extract.whitespace import normalise_space
from newsmill.pipeline.extract.words import count_words

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SEP_HEAD = re.compile(r"^\s+(?:[-|·•»«:]{1,2}|/|::)\s+")
_SEP_TAIL = re.compile(r"\s+(?:[-|·•»«:]{1,2}|/|::)\s+$")


def fold_title(title: str) -> str:
    return title.translate(_QUOTES).casefold()


def contains_title(longer: str, shorter: str) -> bool:
    """`longer` is `shorter`, or `shorter` plus a separated prefix/suffix ("X | Site")."""
    big, small = fold_title(longer), fold_title(shorter)
    if big == small:
        return True
    if len(small) < 8 or len(big) <= len(small):
        return False
    if big.startswith(small) and _SEP_HEAD.match(big[len(small) :] + " "):
        return True
    return big.endswith(small) and bool(_SEP_TAIL.search(" " + big[: -len(small)]))


def choose_title(
    candidates: list[Sourced[str]], site_names: list[str | None]
) -> tuple[str, str | None]:
    """The best-ranked title that another, independent signal agrees with; the best-ranked one
    when none agree. Agreement also strips what only one spelling carries (an unknown site
    suffix: og:title "Story | Brand ZA" and the page's h1 "Story" give "Story"), and a title cut
    off by a length limit is completed from a longer spelling of it."""
    cleaned = [
        (t, c.signal)
        for c in candidates
        if (t := clean_title(c.value, site_names)) and not is_site_name(t, site_names)
    ]
    if not cleaned:
        return "", None
    chosen = 0
    for i, (title, signal) in enumerate(cleaned):
        if any(
            other_signal != signal
            and (contains_title(title, other) or contains_title(other, title))
            for other, other_signal in cleaned
        ):
            chosen = i
            break
    title, signal = cleaned[chosen]
    shorter = [o for o, s in cleaned if s != signal and o != title and contains_title(title, o)]
    if shorter:
        title = min(shorter, key=len)
    stem = fold_title(title.rstrip(".… "))
    # Cut-off titles end in an ellipsis, or stop dead at a length limit (JSON-LD headlines are
    # often cut at 110 characters for search engines).
    if title.endswith(("...", "…")) or len(title) >= 100:
        for other, _ in cleaned:
            folded = fold_title(other)
            rest = folded[len(stem) :]
            if len(folded) > len(stem) and folded.startswith(stem) and re.match(r"\s?\w", rest):
                title = other
                break
    return title, signal


# Scripts written without spaces compare character by character: "江北夜间公交环线" and
# "江北市开通首条夜间公交环线" share most of their characters, not a single spaced word.
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_TITLE_WORD = regex.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_HEADLINE_FURNITURE = re.compile(
    rf"\b(?:posted|published|updated|written)\b|\b{_MONTH} \d{{1,2}}\b|\b\d{{1,2}} {_MONTH}"
    r"|\([\w.-]+\.[a-z]{2,}\)|^\W*\w+\s*:\W*$"
)


def _title_words(title: str) -> set[str]:
    return set(_TITLE_WORD.findall(fold_title(title)))


def visible_headline(
    meta: PageMetadata, candidates: list[Sourced[str]], site_names: list[str | None]
) -> tuple[str, str | None]:
    """The headline the reader sees: the first <h1> about the same story as one of the page's
    metadata titles (at least half of each one's words appear in the other).

    The metadata titles are written for search results and social cards ("Best X of 2026 |
    Top 19 Picks"); the record wants the story's headline. Comparing with them is what tells
    the headline apart from the other <h1>s of a page (the logo, a section name, a promo box),
    and a one-word h1 is not taken for a long title that merely contains the word. A page
    without metadata titles takes its only h1.
    """
    others = [
        (title, words)
        for c in candidates
        if c.signal != TEXT and (words := _title_words(title := clean_title(c.value, site_names)))
    ]
    for raw in meta.headlines:
        title = clean_title(raw, site_names)
        words = _title_words(title)
        if not words or is_site_name(title, site_names) or len(title) > 200:
            continue
        if not others:
            return (title, TEXT) if len(meta.headlines) == 1 else ("", None)
        for other, other_words in others:
            shared = len(words & other_words)
            if shared * 2 < len(words) or (len(words) <= 3 and shared * 3 < len(other_words)):
                continue
            folded, other_folded = fold_title(title), fold_title(other)
            if other_folded != folded and other_folded in folded and len(other_words) >= 3:
                extra = folded.replace(other_folded, " ")
                if _HEADLINE_FURNITURE.search(extra):
                    # The h1 holds the title plus a dateline, a byline or a label ("Dec 18
                    # 2025 <title>", "<title> Posted on ... by ..."): the metadata spelling
                    # is the clean one.
                    return other, candidates_signal(candidates, other, site_names)
            # Same words as a metadata title: provenance names the best-ranked signal that
            # spells it exactly like this.
            return title, candidates_signal(candidates, title, site_names) or TEXT
    if len(meta.headlines) == 1:
        # The page's only <h1>, worded differently from its SEO title, is still its headline
        # when it is a sentence-sized line rather than a label.
        title = clean_title(meta.headlines[0], site_names)
        if count_words(title) >= 4 and len(title.split()) <= 20 and not is_site_name(
            title, site_names
        ):
            return title, TEXT
    return "", None


def drop_pipe_suffix(title: str) -> str:
    """ "Story | Brand" -> "Story" for metadata titles whose brand the page does not name.

    Only the pipe: in search titles it separates the brand or section ("| Opinion", "| Top 19
    Companies"), while a dash or colon often joins two halves of one headline. A segment is
    dropped when it is short (a name, not a clause) and leaves a headline of 3+ words."""
    while " | " in title:
        head, tail = title.rsplit(" | ", 1)
        if len(tail.split()) > 4 or len(tail) > 30 or len(head.split()) < 3:
            break
        title = head
    return title


def candidates_signal(
    candidates: list[Sourced[str]], title: str, site_names: list[str | None]
) -> str | None:
    return next((c.signal for c in candidates if clean_title(c.value, site_names) == title), None)


def choose_page_title(
    tree: HtmlElement,
    meta: PageMetadata,
    hints: dict[str, Any],
    hint_signal: str,
    site_names: list[str | None],
) -> tuple[str, str | None]:
    """(title, the signal that supplied it) from the page's markup, its feed entry (`hints`) and,
    when neither has one, trafilatura's heuristic finder; ("", None) when there is none."""
    title_candidates = list(meta.titles)
    hint_title = normalise_space(str(hints.get("title") or ""))
    if hint_title:
        # Feed titles rank below the page's own markup but above its <h1> heuristic.
        first_text = next((i for i, c in enumerate(title_candidates) if c.signal == TEXT), None)
        pos = len(title_candidates) if first_text is None else first_text
        title_candidates.insert(pos, Sourced(hint_title, hint_signal))
    title, title_signal = visible_headline(meta, title_candidates, site_names)
    if not title:
        title, title_signal = choose_title(title_candidates, site_names)
    title = drop_pipe_suffix(title)
    if not title:
        from trafilatura.metadata import extract_title

        title, title_signal = choose_title(
            [Sourced(extract_title(tree) or "", SIGNAL_TRAFILATURA)], site_names
        )
    if not title:
        title, title_signal = any_title(meta, title_candidates)
    return plain_typography(title), title_signal


def any_title(meta: PageMetadata, candidates: list[Sourced[str]]) -> tuple[str, str | None]:
    """The first title the page offers at all, site name or not: a story is never dropped
    for want of a headline. ("", None) only when the page has no title anywhere."""
    for cand in candidates:
        if value := normalise_space(cand.value):
            return value, cand.signal
    return next(((h, TEXT) for h in meta.headlines if h), ("", None))
