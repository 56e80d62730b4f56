"""The Northern Ledger (hand-rolled CMS): routing, story pages, listings, RSS and the traps.

No JSON-LD, no sitemap: metadata comes only from meta tags, the visible byline and dateline, and
the RSS feed. The calendar links to the previous and next month forever.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape

from newsmill.pipeline.demo import ledger_chrome as chrome
from newsmill.pipeline.demo import tdm
from newsmill.pipeline.demo.markup import (
    JOURS,
    MOIS,
    MONTHS,
    attr,
    esc,
    html_response,
    inline,
    iso,
    pdf,
    png,
    redirect,
    rfc822,
    text_response,
    xml_response,
)
from newsmill.pipeline.demo.model import (
    Block,
    Figure,
    Heading,
    Para,
    Placed,
    Response,
    Tweet,
    World,
)

PDF_PATH = "/news/900-annual-report-2024.pdf"
BROKEN_PATH = "/news/1046-live-flood-updates.html"
REPORT_MODIFIED = datetime(2025, 3, 31, 9, 0, tzinfo=UTC)
SHARE_TEXT: str = chrome.TEXT["share"]
PRINT_TEXT: str = chrome.TEXT["print"]
READ_MORE: str = chrome.TEXT["read_more"]
NEWSLETTER_TEXT: str = chrome.TEXT["newsletter"]["text"]
SYNDICATION_TEXT: str = chrome.TEXT["syndication"]
_CALENDAR = re.compile(r"^/calendar/(\d{4})/(\d{2})/$")
_MEDIA = re.compile(r"^/(?:media|static)/[\w.-]+\.png$")


def boilerplate(world: World, placed: Placed) -> list[str]:
    snippets = list(chrome.TEXT["boilerplate"])
    if placed.story.syndicated_from:
        snippets.append(SYNDICATION_TEXT)
    return snippets


def _dateline(placed: Placed) -> str:
    dt = placed.published
    if placed.story.language == "fr":
        return f"{JOURS[dt.weekday()]} {dt.day} {MOIS[dt.month - 1]} {dt.year}, {dt.hour} h {dt:%M}"
    return f"{dt:%A} {dt.day} {MONTHS[dt.month - 1]} {dt.year}, {dt:%H:%M}"


def _byline(placed: Placed) -> str:
    authors = placed.story.authors
    names = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + " and " + authors[-1]
    if placed.story.language == "fr":
        names = names.replace(" and ", " et ")
        return f"Texte\u00a0: {esc(names)}"
    return f"Words: {esc(names)}"


def _block(world: World, block: Block) -> str:
    def resolve(href: str) -> str:
        if href.startswith("story:"):
            return world.get(href.removeprefix("story:")).url
        return href

    if isinstance(block, Para):
        return f"<p>{inline(block, resolve)}</p>"
    if isinstance(block, Heading):
        return f'<h3 class="crosshead">{esc(block.text)}</h3>'
    if isinstance(block, Figure):
        return _picture(block)
    return _tweet(block)


def _picture(fig: Figure) -> str:
    return (
        f'<div class="pic"><img src="/media/{fig.image}" width="640" height="360" '
        f'alt="{attr(fig.alt)}"><p class="caption">{esc(fig.caption)} <i>{esc(fig.credit)}</i>'
        "</p></div>"
    )


def _tweet(tweet: Tweet) -> str:
    return (
        f'<blockquote class="twitter-tweet"><p>{esc(tweet.text)}</p>&mdash; {esc(tweet.author)} '
        f'(@{tweet.handle}) <a href="https://twitter.com/{tweet.handle}/status/{tweet.status_id}">'
        "view on X</a></blockquote>"
    )


def _read_more(world: World, placed: Placed) -> str:
    others = [p for p in chrome.listed(world) if p.key != placed.key][:3]
    links = "".join(f'<li><a href="{p.path}">{esc(p.story.title)}</a></li>' for p in others)
    return f'<div class="readmore"><b>{READ_MORE}</b><ul>{links}</ul></div>'


def article_page(world: World, placed: Placed) -> str:
    story = placed.story
    syndication = ""
    if story.syndicated_from:
        original = world.get(story.syndicated_from)
        syndication = (
            f'<aside class="syndication-note"><p>{SYNDICATION_TEXT} <a href="{original.url}">'
            "The Harbour Gazette</a> and is republished here with permission.</p></aside>\n"
        )
    meta = f"""<meta name="author" content="{attr(", ".join(story.authors))}">
<meta name="keywords" content="{attr(", ".join(story.tags))}">
<meta property="article:published_time" content="{iso(placed.published)}">
<link rel="canonical" href="{placed.url}">
"""
    head = chrome.head(
        title=f"{story.title} | {chrome.NAME}",
        description=story.standfirst,
        lang=story.language,
        charset=story.encoding,
        extra=meta,
    )
    body = "\n".join(_block(world, b) for b in placed.body)
    section = chrome.section_slug(story.section)
    share = (
        f'<p class="tools"><a href="https://www.facebook.com/sharer.php?u={placed.url}">'
        f'{SHARE_TEXT}</a> | <a href="https://x.com/share?url={placed.url}">Share on X</a> | '
        f'<a href="javascript:window.print()">{PRINT_TEXT}</a> | '
        f'<a href="mailto:?subject={attr(story.title)}&amp;body={placed.url}">Email a friend'
        "</a></p>"
    )
    main = f"""<div class="story" id="story-{story.number}">
<div class="kicker"><a href="{chrome.section_path(story.section)}">{esc(story.section)}</a></div>
<h1 class="headline">{esc(story.title)}</h1>
<p class="intro"><strong>{esc(story.standfirst)}</strong></p>
<p class="byline">{_byline(placed)}</p>
<p class="meta"><span class="dateline">{_dateline(placed)}</span></p>
{_picture(story.lead)}
<div class="storytext">
{body}
</div>
{syndication}{share}
{_read_more(world, placed)}
</div>
<div class="newsletter-box"><h4>{chrome.NEWSLETTER_TITLE}</h4><p>{NEWSLETTER_TEXT}</p>
<form action="/cgi-bin/subscribe" method="post">
<input type="text" name="email" size="24"> <input type="submit" value="Sign up"></form></div>
"""
    return (
        head
        + chrome.top(world, f"article section-{section}")
        + main
        + chrome.bottom(world, exclude=story.key)
    )


def _home(world: World) -> str:
    stories = chrome.listed(world)
    lead, rest = stories[0], stories[1:]
    today = world.today
    head = chrome.head(
        title=f"{chrome.NAME} - {chrome.TAGLINE}",
        description=chrome.TEXT["home_description"],
    )
    main = f"""<div id="lead">
<h2 class="lead-headline"><a href="{lead.path}">{esc(lead.story.title)}</a></h2>
<p>{esc(lead.story.standfirst)}</p>
</div>
<div class="live-box">
<span class="live">LIVE</span> <a href="{BROKEN_PATH}">Flood updates from the lower valley</a></div>
<h2 class="boxhead">Latest news</h2>
{"".join(chrome.teaser(p) for p in rest)}
<h2 class="boxhead">What's on</h2>
<p><a href="{chrome.calendar_path(today.year, today.month)}">Events across the valleys
this month</a></p>
<h2 class="boxhead">Documents</h2>
<p><a href="{PDF_PATH}">Valley Press Cooperative annual report 2024 (PDF, 2 pages)</a></p>
"""
    return head + chrome.top(world, "front") + main + chrome.bottom(world)


def _section(world: World, section: str) -> str:
    stories = [p for p in chrome.listed(world) if p.story.section == section]
    head = chrome.head(
        title=f"{section} | {chrome.NAME}", description=f"{section} from the Ledger."
    )
    items = "".join(chrome.teaser(p) for p in stories) or "<p>No stories yet.</p>"
    main = f'<h1 class="sectionhead">{esc(section)}</h1>\n{items}'
    return (
        head
        + chrome.top(world, f"section section-{chrome.section_slug(section)}")
        + main
        + (chrome.bottom(world))
    )


def _events(year: int, month: int) -> list[tuple[date, str, str]]:
    weeks = calendar.monthcalendar(year, month)
    saturdays = [w[calendar.SATURDAY] for w in weeks if w[calendar.SATURDAY]]
    wednesdays = [w[calendar.WEDNESDAY] for w in weeks if w[calendar.WEDNESDAY]]
    fridays = [w[calendar.FRIDAY] for w in weeks if w[calendar.FRIDAY]]
    return [
        (date(year, month, saturdays[0]), "Farmers' market", "Skarth village square"),
        (date(year, month, wednesdays[1]), "Valley choir open rehearsal", "Hollin Vale chapel"),
        (date(year, month, fridays[-1]), "Film club", "Miners' Institute, Hollin Vale"),
    ]


def _calendar(world: World, year: int, month: int) -> str:
    prev_y, prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_y, next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    label = f"{MONTHS[month - 1]} {year}"
    rows = "".join(
        f"<tr><td>{d:%a} {d.day}</td><td>{esc(what)}</td><td>{esc(where)}</td></tr>"
        for d, what, where in _events(year, month)
    )
    head = chrome.head(title=f"What's on: {label} | {chrome.NAME}", description=f"Events, {label}.")
    main = f"""<h1 class="sectionhead">What's on: {label}</h1>
<p class="calnav"><a href="{chrome.calendar_path(prev_y, prev_m)}"
rel="prev">&laquo; {MONTHS[prev_m - 1]} {prev_y}</a> | <a
href="{chrome.calendar_path(next_y, next_m)}" rel="next">{MONTHS[next_m - 1]} {next_y} &raquo;</a>
</p>
<table class="calendar"><tr><th>Date</th><th>Event</th><th>Where</th></tr>{rows}</table>
"""
    return head + chrome.top(world, "calendar") + main + chrome.bottom(world)


def _broken() -> bytes:
    """A page that died mid-render: the shell starts, then the connection spewed junk."""
    start = (
        b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        b"<title>LIVE: Flood updates | The Northern Ledger</title>\n</head>\n"
        b'<body class="article live">\n<div id="wrap">\n<div id="top">\n<a href="/" id="lo'
    )
    junk = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(12))
    return start + b"\x00\x00" + junk


def feed(world: World) -> str:
    base = world.bases["ledger"]
    items = []
    for p in world.stories("ledger"):
        s = p.story
        items.append(
            f"""<item>
<title>{escape(s.title)}</title>
<link>{p.url}</link>
<description>{escape(s.standfirst)}</description>
<author>newsdesk@northern-ledger.example ({escape(", ".join(s.authors))})</author>
<category>{escape(s.section)}</category>
<pubDate>{rfc822(p.published)}</pubDate>
<guid isPermaLink="true">{p.url}</guid>
</item>"""
        )
    newest = world.stories("ledger")[0].published
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>{chrome.NAME}</title>
<link>{base}/</link>
<description>{chrome.TAGLINE}</description>
<language>en</language>
<pubDate>{rfc822(newest)}</pubDate>
<ttl>30</ttl>
{chr(10).join(items)}
</channel>
</rss>
"""


def _simple(world: World, title: str, text: str, status: int = 200) -> Response:
    head = chrome.head(title=f"{title} | {chrome.NAME}", description=text)
    main = f'<h1 class="sectionhead">{esc(title)}</h1>\n<p>{esc(text)}</p>\n'
    page = head + chrome.top(world, "page") + main + chrome.bottom(world)
    return html_response(page, status=status)


def respond(world: World, path: str, query: str) -> Response:
    del query  # the hand-rolled CMS ignores query strings entirely
    placed = world.at("ledger", path)
    if placed is not None:
        encoding = placed.story.encoding
        text = article_page(world, placed)
        # Characters the legacy charset lacks degrade to references, as old CMSs did.
        body = text.encode(encoding, errors="xmlcharrefreplace")
        return Response(200, body, f"text/html; charset={encoding}", last_modified=placed.modified)
    routes: dict[str, Callable[[], Response]] = {
        "/": lambda: html_response(_home(world)),
        "/index.html": lambda: redirect("/"),
        "/rss.xml": lambda: xml_response(
            feed(world), "application/rss+xml; charset=utf-8", world.stories("ledger")[0].modified
        ),
        "/robots.txt": lambda: text_response(
            "User-agent: *\nDisallow: /cgi-bin/\nDisallow: /search\n"
        ),
        PDF_PATH: lambda: Response(
            200,
            pdf(["The Northern Ledger", "Valley Press Cooperative", "Annual report 2024"]),
            "application/pdf",
            last_modified=REPORT_MODIFIED,
        ),
        BROKEN_PATH: lambda: Response(200, _broken(), "text/html; charset=utf-8"),
        "/calendar/": lambda: redirect(
            chrome.calendar_path(world.today.year, world.today.month), 302
        ),
        tdm.TDMREP_PATH: lambda: tdm.tdmrep(world.bases["ledger"]),
        tdm.POLICY_PATH: lambda: tdm.policy(world.bases["ledger"]),
        "/static/ledger.css": lambda: text_response("#wrap{width:980px}\n", "text/css"),
        "/static/ledger.js": lambda: text_response("/* ledger */\n", "application/javascript"),
    }
    if path in routes:
        return routes[path]()
    if path in chrome.TEXT["pages"]:
        static = chrome.TEXT["pages"][path]
        return _simple(world, static["title"], static["text"])
    for section in chrome.SECTIONS:
        if path == chrome.section_path(section):
            return html_response(_section(world, section))
    match = _CALENDAR.match(path)
    if match:
        year, month = int(match[1]), int(match[2])
        if 1000 <= year <= 9999 and 1 <= month <= 12:
            return html_response(_calendar(world, year, month))
    if _MEDIA.match(path):
        return Response(200, png((140, 40, 30)), "image/png")
    missing = chrome.TEXT["not_found"]
    return _simple(world, missing["title"], missing["text"], status=404)
