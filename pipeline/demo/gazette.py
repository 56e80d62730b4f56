"""The Harbour Gazette (WordPress-like): URL routing and its listing pages."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs

from newsmill.pipeline.demo import gazette_chrome as chrome
from newsmill.pipeline.demo import gazette_xml
from newsmill.pipeline.demo.gazette_amp import amp_page
from newsmill.pipeline.demo.gazette_article import article_page
from newsmill.pipeline.demo.markup import esc, html_response, png, redirect, text_response
from newsmill.pipeline.demo.markup import xml_response as _xml
from newsmill.pipeline.demo.model import Placed, Response, World
from newsmill.pipeline.demo.stories import cases

TRACKING_QUERY = "utm_source=homepage&utm_medium=promo&utm_campaign=festival40"
PRIVATE_SLUG = "harbour-budget-draft"
OFFDOMAIN_SLUG = "tide-tables-partner-feature"
SITEMAPS = (
    "sitemap_index.xml",
    "post-sitemap.xml",
    "page-sitemap.xml",
    "archive-sitemap.xml",
    "news-sitemap.xml",
)
_IMAGE = re.compile(r"^/wp-content/uploads/(?:\d{4}/\d{2}/)?[\w.-]+\.png$")


def private_path(world: World) -> str:
    return f"{gazette_xml.PRIVATE_PREFIX}{world.day(1):%Y/%m/%d}/{PRIVATE_SLUG}/"


def offdomain_url(world: World) -> str:
    # Shaped like a Gazette article URL, so only the domain check keeps a crawler off it.
    return f"{world.bases['elsewhere']}/{world.day(2):%Y/%m/%d}/{OFFDOMAIN_SLUG}/"


def tracking_url(world: World) -> str:
    return world.get(cases()["tracked"]).url + "?" + TRACKING_QUERY


def amp_url(world: World) -> str:
    top = world.get(cases()["top"])
    return top.base + chrome.amp_path(top)


def _home(world: World) -> str:
    base = world.bases["gazette"]
    stories = chrome.listed(world)
    top = world.get(cases()["top"])
    tracked = world.get(cases()["tracked"])
    rest = [p for p in stories if p.key not in (top.key, tracked.key)]
    cards = "".join(chrome.story_card(world, p) for p in rest)
    head = chrome.head(
        world,
        title=f"{chrome.NAME} - {chrome.TAGLINE}",
        description=chrome.TEXT["home_description"],
        canonical=f"{base}/",
    )
    main = f"""<main id="primary" class="site-main home-page">
<section class="top-story"><h2 class="section-label">Top story</h2>
{chrome.story_card(world, top)}<p class="amp-link">
<a href="{amp_url(world)}">Read the lite version of this story</a></p>
</section>
<section class="promo-box festival"><h2 class="section-label">Festival 40</h2>
{chrome.story_card(world, tracked, href=tracking_url(world))}</section>
<section class="latest"><h2 class="section-label">Latest</h2>
{cards}</section>
<section class="members-preview"><h2 class="section-label">For members</h2>
<p><a href="{base}{private_path(world)}">Members' preview: the draft harbour budget,
line by line</a></p></section>
<section class="partners"><h2 class="section-label">From our partners</h2>
<p><a href="{offdomain_url(world)}">Tide tables and the week's coastal forecast, from Coastwise</a>
</p></section>
</main>
"""
    return chrome.page(world, head, "home blog", main)


def _listing(world: World, title: str, canonical: str, stories: list[Placed], kind: str) -> str:
    cards = "".join(chrome.story_card(world, p) for p in stories) or (
        '<p class="no-results">Sorry, no posts matched your criteria.</p>'
    )
    head = chrome.head(
        world,
        title=f"{title} Archives - {chrome.NAME}",
        description=f"{title}: the latest from {chrome.NAME}.",
        canonical=canonical,
    )
    main = f"""<main id="primary" class="site-main">
<header class="page-header"><h1 class="page-title">{esc(title)}</h1></header>
{cards}
<nav class="navigation posts-navigation" aria-label="Posts"><div class="nav-links">
<span class="page-numbers current">1</span></div></nav>
</main>
"""
    return chrome.page(world, head, f"archive {kind}", main)


def _simple(world: World, title: str, path: str, paragraphs: list[str], body_class: str) -> str:
    head = chrome.head(
        world, title=f"{title} - {chrome.NAME}", description=paragraphs[0], canonical=path
    )
    text = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    main = f"""<main id="primary" class="site-main">
<article class="page type-page status-publish hentry"><header class="entry-header">
<h1 class="entry-title">{esc(title)}</h1></header>
<div class="entry-content">
{text}
</div></article>
</main>
"""
    return chrome.page(world, head, body_class, main)


def _not_found(world: World) -> Response:
    base = world.bases["gazette"]
    page = chrome.TEXT["not_found"]
    text = _simple(world, page["title"], f"{base}/404/", page["paragraphs"], "error404")
    return html_response(text, status=404)


def _xml_doc(world: World, name: str) -> Response:
    render = {
        "sitemap_index.xml": gazette_xml.sitemap_index,
        "post-sitemap.xml": gazette_xml.post_sitemap,
        "page-sitemap.xml": gazette_xml.page_sitemap,
        "archive-sitemap.xml": gazette_xml.archive_sitemap,
        "news-sitemap.xml": gazette_xml.news_sitemap,
    }[name]
    return _xml(
        render(world),
        "application/xml; charset=UTF-8",
        gazette_xml.sitemap_modified(world, name),
    )


def respond(world: World, path: str, query: str) -> Response:
    base = world.bases["gazette"]
    if path == "/":
        post_id = parse_qs(query).get("p", [""])[0]
        if post_id:
            return _shortlink(world, post_id)
        return html_response(_home(world))
    if path == "/robots.txt":
        return text_response(gazette_xml.robots(world))
    if path.lstrip("/") in SITEMAPS:
        return _xml_doc(world, path.lstrip("/"))
    if path == "/feed/":
        return _xml(
            gazette_xml.feed(world),
            "application/rss+xml; charset=UTF-8",
            world.last_modified("gazette"),
        )
    placed = world.at("gazette", path)
    if placed is not None:
        return html_response(article_page(world, placed), last_modified=placed.modified)
    if path.endswith("/amp/"):
        placed = world.at("gazette", path.removesuffix("amp/"))
        if placed is not None:
            return html_response(amp_page(world, placed), last_modified=placed.modified)
    if path.startswith("/section/"):
        name = path.removeprefix("/section/").strip("/")
        for section in chrome.SECTIONS:
            if name == section.lower():
                stories = [p for p in chrome.listed(world) if p.story.section == section]
                page = _listing(world, section, base + path, stories, f"category-{name}")
                return html_response(page)
    if path.startswith("/author/"):
        slug = path.removeprefix("/author/").strip("/")
        stories = [
            p for p in chrome.listed(world) if slug in map(chrome.author_slug, p.story.authors)
        ]
        if stories:
            name = next(a for a in stories[0].story.authors if chrome.author_slug(a) == slug)
            return html_response(_listing(world, name, base + path, stories, "author"))
    if path in chrome.TEXT["pages"]:
        static = chrome.TEXT["pages"][path]
        return html_response(
            _simple(world, static["title"], base + path, static["paragraphs"], "page")
        )
    if path == private_path(world):
        return html_response(_private(world))
    if _IMAGE.match(path):
        return Response(200, png((18, 58, 92)), "image/png", gazette_xml.PAGES_MODIFIED)
    if path.endswith(".css"):
        return text_response("body{margin:0;font-family:Georgia,serif}\n", "text/css")
    if path.endswith(".js"):
        return text_response("/* theme script */\n", "application/javascript")
    if not path.endswith("/") and not path.rsplit("/", 1)[-1].count("."):
        # WordPress's canonical redirect: the same URL with its trailing slash.
        target = respond(world, path + "/", "")
        if target.status == 200:
            return redirect(base + path + "/" + (f"?{query}" if query else ""))
    return _not_found(world)


def _shortlink(world: World, post_id: str) -> Response:
    for p in world.stories("gazette", archive=None):
        if str(p.story.number) == post_id:
            return redirect(p.url)
    return _not_found(world)


def _private(world: World) -> str:
    page = chrome.TEXT["members_preview"]
    embargo = f"{world.day(1) + timedelta(days=7):%d %B %Y}"
    return _simple(
        world,
        page["title"],
        world.bases["gazette"] + private_path(world),
        [p.format(embargo=embargo) for p in page["paragraphs"]],
        "page members-only",
    )
