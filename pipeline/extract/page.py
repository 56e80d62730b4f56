"""One fetched page -> one clean `Article`, or `NoArticle` with the reason.

The page is decoded and parsed once. Metadata is read from that tree (pipeline.extract.metadata),
the main text comes from trafilatura run on the same tree with its own metadata pass switched off,
and trafilatura's heuristic title/author finders and htmldate only run for the fields the page's
markup left empty. The text then goes through a boilerplate filter for what trafilatura lets
through on news sites (newsletter promos, donation appeals, share prompts, credit lines).

Field priority: JSON-LD > OpenGraph > other meta tags > feed/sitemap hints > the page's own
headline or a byline found by trafilatura > the date in the URL > htmldate (markup only).
Two refinements: a title another signal agrees with beats a higher-ranked one nobody agrees
with (a JSON-LD "headline" is sometimes an SEO line or the first sentence), and an author the
markup names but that is not a person (the site, a desk) gives no author rather than a
heuristic guess. `provenance` records which signal supplied `title`, `authors` and
`published_at`; the values are `json-ld`, `og`, `meta`, `feed`, `sitemap`, `url`, `text` (the
page's single <h1>) and `trafilatura`.

Decisions: figure captions are not part of `text` (trafilatura drops figures, and reference
extractions leave captions out); third-party embeds (tweets, Instagram, TikTok) are removed
from the text and listed in `embeds` (pipeline.extract.extras, with images, rights, paywall);
a headline repeated as the first paragraph and a byline paragraph are removed.
"""

from __future__ import annotations

import logging
from copy import deepcopy
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

import trafilatura

from newsmill.pipeline.dedup.urls import (
    canonical_url,
    cross_site_canonical,
    host_of,
    registrable_domain,
)
from newsmill.pipeline.extract.boilerplate import drop_byline, filter_boilerplate
from newsmill.pipeline.extract.candidates import Sourced
from newsmill.pipeline.extract.extras import read_extras
from newsmill.pipeline.extract.fusion import (
    absolute_http,
    choose_authors,
    hint_list,
    hint_signal,
    labels,
)
from newsmill.pipeline.extract.language import choose_language
from newsmill.pipeline.extract.load import LoadedPage, NoArticle, load_page
from newsmill.pipeline.extract.main_text import main_text
from newsmill.pipeline.extract.organizations import agency_credits_in_text, merge_credits
from newsmill.pipeline.extract.paywall import without_prompt
from newsmill.pipeline.extract.published import choose_dates, choose_published_local
from newsmill.pipeline.extract.structure import class_values
from newsmill.pipeline.extract.structure import prune as prune_structure
from newsmill.pipeline.extract.templates import drop_template_blocks
from newsmill.pipeline.extract.title import choose_page_title
from newsmill.pipeline.extract.typography import plain_typography
from newsmill.pipeline.extract.whitespace import normalise_space
from newsmill.pipeline.extract.words import count_paragraph_words, count_words
from newsmill.pipeline.publish.article import Article
from newsmill.pipeline.settings import settings

# trafilatura and htmldate log every discarded page at WARNING; without a handler Python would
# print those to stderr, which the CLI reserves for its own one-line errors. Applications that
# configure logging still receive them through propagation.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def _newsmill_version() -> str:
    try:
        return package_version("newsmill")
    except PackageNotFoundError:
        return "0.1.0"


EXTRACTOR = f"newsmill/{_newsmill_version()}+trafilatura/{trafilatura.__version__}"


def extractor_name(profile: str) -> str:
    """The `extractor` value of a record: versions, plus the profile when not the default."""
    return EXTRACTOR if profile == "balanced" else f"{EXTRACTOR};profile={profile}"


# Below MIN_WORDS a page is a stub, a gallery or an index, unless it says it is an article and
# has paragraph structure; below HARD_MIN_WORDS nothing is an article.
MIN_WORDS = 40
HARD_MIN_WORDS = 20


def article_from_page(
    page: LoadedPage,
    *,
    url: str,
    site: str,
    fetched_at: str,
    source: str,
    raw_ref: str,
    hints: dict[str, Any] | None = None,
    language_hint: str | None = None,
    domains: tuple[str, ...] = (),
    boilerplate: frozenset[str] = frozenset(),
    headers: dict[str, str] | None = None,
) -> Article:
    """Build the record from a loaded page. Raises NoArticle when there is no article text.

    `boilerplate` holds the hashes of the site's template blocks (pipeline.extract.templates)."""
    hints = dict(hints or {})
    meta = page.meta
    profile = settings().extractor_profile
    # The furniture the markup labels goes before the main text is looked for, on a copy:
    # the byline and date finders below still need the whole page (an author box can carry
    # a class like "share-author").
    pruned = deepcopy(page.tree)
    # read on the copy before pruning: the same values as the page's own (for the paywall test)
    marks = class_values(pruned)
    prune_structure(pruned, marks)
    raw_paragraphs = main_text(pruned, url, profile)

    canonical = canonical_url(url, meta.canonical, domains=domains)
    host = host_of(canonical) or host_of(url)
    site_names: list[str | None] = [c.value for c in meta.site_names]
    site_names += [site, host, registrable_domain(host) if host else None]
    signal = hint_signal(hints)
    provenance: dict[str, str] = {}

    title, title_signal = choose_page_title(page.tree, meta, hints, signal, site_names)
    if title_signal:
        provenance["title"] = title_signal

    paragraphs = filter_boilerplate(raw_paragraphs, title)
    if boilerplate:
        # The site's learnt template (pipeline.extract.templates), unless it would leave a stub: a
        # page that is nearly all template is better kept whole than turned into no record.
        without = drop_template_blocks(paragraphs, boilerplate)
        if count_paragraph_words(without) >= MIN_WORDS:
            paragraphs = without
    text = "\n\n".join(paragraphs)
    words = count_words(text)
    if words < HARD_MIN_WORDS or (
        words < MIN_WORDS and not (meta.declares_article and len(paragraphs) >= 2)
    ):
        raise NoArticle(f"no article text ({words} words)")
    authors, organizations, author_signal = choose_authors(
        page.tree, meta, hints, signal, site_names
    )
    if author_signal:
        provenance["authors"] = author_signal
    paragraphs = drop_byline(paragraphs, authors)
    authors = list(dict.fromkeys(plain_typography(a) for a in authors))
    text = "\n\n".join(paragraphs)
    organizations = merge_credits(organizations, agency_credits_in_text(paragraphs))

    # dates
    published, date_signal, modified = choose_dates(
        page.tree, meta, hints, signal, urls=(canonical, url), fetched_at=fetched_at
    )
    if date_signal:
        provenance["published_at"] = date_signal
    published_local = choose_published_local(page.tree, meta, hints, published, fetched_at)

    # the rest
    description = next((d for c in meta.descriptions if (d := normalise_space(c.value))), None)
    image = next((u for c in meta.images if (u := absolute_http(c.value, url))), None)
    categories = labels(meta.categories, 20)
    if not categories and hints.get("categories"):
        categories = labels([Sourced(hint_list(hints["categories"]), signal)], 20)
    tags = labels(meta.tags, 50)
    language = choose_language(meta, hints, text, words, language_hint)
    paragraphs = without_prompt(paragraphs)
    text = "\n\n".join(paragraphs)
    # images, embeds (positions index the final paragraphs), rights (headers: TDMRep, noai)
    extras = read_extras(page.tree, pruned, url=url, paragraphs=paragraphs,
                         extracted=raw_paragraphs, lead_image=image, meta=meta,
                         class_values=marks, headers=headers, hints=hints)

    article = Article(
        url=url,
        canonical_url=canonical,
        site=site,
        domain=host,
        # A story is never dropped for its headline: with none anywhere, the title is null.
        title=title or None,
        text=text,
        fetched_at=fetched_at,
        source=source,
        raw_ref=raw_ref,
        extractor=extractor_name(profile),
        description=description,
        authors=authors,
        organizations=organizations,
        published_at=published,
        published_local=published_local,
        modified_at=modified,
        language=language,
        categories=categories,
        tags=tags,
        image=image,
        images=extras.images,
        embeds=extras.embeds,
        rights=extras.rights,
        paywalled=extras.paywalled,
        provenance=provenance,
        syndicated_from=cross_site_canonical(meta.canonical, url, domains),
    )
    article.counted_words(words)
    return article


def extract_article(
    body: bytes,
    *,
    url: str,
    site: str,
    fetched_at: str,
    source: str,
    raw_ref: str,
    content_type: str | None = None,
    hints: dict[str, Any] | None = None,
    language_hint: str | None = None,
    domains: tuple[str, ...] = (),
    boilerplate: frozenset[str] = frozenset(),
    headers: dict[str, str] | None = None,
) -> Article:
    """One fetched page -> Article. Raises NoArticle(reason) for pages with no article."""
    page = load_page(body, content_type)
    return article_from_page(
        page,
        url=url,
        site=site,
        fetched_at=fetched_at,
        source=source,
        raw_ref=raw_ref,
        hints=hints,
        language_hint=language_hint,
        domains=domains,
        boilerplate=boilerplate,
        headers=headers,
    )
