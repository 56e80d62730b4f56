"""Choosing among candidates for the fields other modules do not own: authors (markup, feed,
printed byline, trafilatura), categories, tags, description and image."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from newsmill.pipeline.extract.authors import clean_authors, clean_credits
from newsmill.pipeline.extract.byline import find_byline_credits, plausible_name, trim_calendar
from newsmill.pipeline.extract.candidates import (
    SIGNAL_BYLINE,
    SIGNAL_FEED,
    SIGNAL_SITEMAP,
    SIGNAL_TRAFILATURA,
    PageMetadata,
    Sourced,
)
from newsmill.pipeline.extract.markup_author import markup_author
from newsmill.pipeline.extract.organizations import (
    is_agency,
    is_collective_credit,
    merge_credits,
)
from newsmill.pipeline.extract.whitespace import normalise_space


def hint_signal(hints: dict[str, Any]) -> str:
    return SIGNAL_SITEMAP if str(hints.get("via", "")).lower() == SIGNAL_SITEMAP else SIGNAL_FEED


def hint_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int) and str(v).strip()]
    return []


def widened(
    authors: list[str], later: list[Sourced[list[str]]], site_names: list[str | None]
) -> list[str]:
    """A later signal that names the chosen people and more is the fuller byline: a one-name
    `dc.creator` before the six `citation_author`s of a paper."""
    for cand in later:
        more = clean_authors(cand.value, site_names)
        if {a.casefold() for a in authors} < {m.casefold() for m in more}:
            authors = more
    return authors


def labels(candidates: list[Sourced[list[str]]], limit: int) -> list[str]:
    for cand in candidates:
        seen: set[str] = set()
        out: list[str] = []
        for label in cand.value:
            label = normalise_space(label).strip("#")
            key = label.casefold()
            if label and key not in seen and len(label) <= 100:
                seen.add(key)
                out.append(label)
        if out:
            return out[:limit]
    return []


def absolute_http(url: str, base: str) -> str | None:
    try:
        absolute = urljoin(base, url.strip())
    except ValueError:
        return None
    return absolute if absolute.lower().startswith(("http://", "https://")) else None


def _credited(orgs: list[str], people: list[str]) -> list[str]:
    """The organisations a record credits. Agencies and named desks always; the publication or
    another institution only when no person is named (many sites put their own name in every
    author field, which says nothing about who wrote a bylined story)."""
    return [o for o in orgs if not people or is_agency(o) or is_collective_credit(o)]


def choose_authors(
    tree: HtmlElement,
    meta: PageMetadata,
    hints: dict[str, Any],
    hint_signal: str,
    site_names: list[str | None],
) -> tuple[list[str], list[str], str | None]:
    """(person names, organisations credited, the signal that supplied the names).

    Names: the first candidate in rank order that names a person, else the byline printed on
    the page, else trafilatura's guess. Organisations: those the first crediting candidate
    names, and the authors the JSON-LD types as organisations."""
    people, orgs, signal = _choose_people(tree, meta, hints, hint_signal, site_names)
    typed = [name for cand in meta.organization_authors for name in cand.value]
    return people, _credited(merge_credits(orgs, typed), people), signal


def _choose_people(
    tree: HtmlElement,
    meta: PageMetadata,
    hints: dict[str, Any],
    hint_signal: str,
    site_names: list[str | None],
) -> tuple[list[str], list[str], str | None]:
    author_candidates = list(meta.authors)
    if hints.get("authors"):
        author_candidates.append(Sourced(hint_list(hints["authors"]), hint_signal))
    orgs: list[str] = []
    for i, cand in enumerate(author_candidates):
        authors, credited = clean_credits(cand.value, site_names)
        orgs = orgs or credited
        if authors:
            return widened(authors, author_candidates[i + 1 :], site_names), orgs, cand.signal
    # The byline printed on the page: an author link, an author/byline element, a "Written
    # by" label. These are structural enough to trust even when the markup named an
    # organisation (the publisher standing in for a byline it did not fill).
    authors, printed = find_byline_credits(tree, site_names)
    if authors:
        return authors, orgs, SIGNAL_BYLINE
    orgs = orgs or printed
    if author_candidates:
        # The markup names an organisation or a desk: the page has no person author, and a
        # loose heuristic hunt would find page furniture.
        return [], orgs, None
    byline = markup_author(tree)
    authors = clean_authors([byline], site_names) if byline else []
    authors = [t for a in authors if plausible_name(t := trim_calendar(a))]
    return (authors, orgs, SIGNAL_TRAFILATURA) if authors else ([], orgs, None)
