"""The Northern Ledger's page shell: a hand-rolled CMS from the table-layout era, half-modernised.

Links are site-relative (unlike the Gazette's absolute ones). The templates stick to characters
windows-1252 can encode, so the same shell also serves the legacy cp1252 story.
"""

from __future__ import annotations

from newsmill.pipeline.demo.data import page_text
from newsmill.pipeline.demo.markup import attr, esc
from newsmill.pipeline.demo.model import Placed, World

TEXT = page_text("ledger")
NAME: str = TEXT["name"]
TAGLINE: str = TEXT["tagline"]
SECTIONS: tuple[str, ...] = tuple(TEXT["sections"])
COOKIE_TEXT: str = TEXT["cookie_notice"]
NEWSLETTER_TITLE: str = TEXT["newsletter"]["title"]
PUBLISHER_LINE: str = TEXT["publisher_line"]


def section_slug(section: str) -> str:
    return {"Français": "francais"}.get(section, section.lower())


def section_path(section: str) -> str:
    return f"/section/{section_slug(section)}/"


def calendar_path(year: int, month: int) -> str:
    return f"/calendar/{year:04d}/{month:02d}/"


def listed(world: World) -> list[Placed]:
    """First-edition stories only, so listing pages stay byte-identical across editions."""
    return [p for p in world.stories("ledger") if p.story.edition == 1]


def head(
    *,
    title: str,
    description: str,
    lang: str = "en",
    charset: str = "utf-8",
    extra: str = "",
) -> str:
    if charset == "utf-8":
        charset_tag = '<meta charset="utf-8">'
    else:
        # The legacy template predates <meta charset>; old CMSs still print the http-equiv form.
        charset_tag = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
{charset_tag}
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{attr(description)}">
{extra}<link rel="alternate" type="application/rss+xml" title="{NAME}" href="/rss.xml">
<link rel="stylesheet" type="text/css" href="/static/ledger.css?v=41">
<script type="text/javascript" src="/static/ledger.js?v=41"></script>
</head>
"""


def top(world: World, body_class: str) -> str:
    today = world.today
    nav = "".join(f'<li><a href="{section_path(s)}">{esc(s)}</a></li>' for s in SECTIONS)
    return f"""<body class="{body_class}">
<div id="cookiebar">{COOKIE_TEXT} <a href="/cookies.html">More information</a> <a href="#"
id="cookie-ok">OK</a></div>
<div id="wrap">
<div id="top">
<a href="/" id="logo"><img src="/static/ledger-masthead.png" alt="{NAME}" width="420" height="60">
</a>
<span class="tagline">{TAGLINE}</span>
<span class="topdate">{today:%A} {today.day} {today:%B %Y}</span>
</div>
<ul id="nav"><li><a href="/">Front page</a></li>{nav}<li>
<a href="{calendar_path(today.year, today.month)}">What's on</a></li></ul>
<div id="container">
<div id="main">
"""


def bottom(world: World, exclude: str | None = None) -> str:
    stories = [p for p in listed(world) if p.key != exclude][:4]
    most_read = "".join(f'<li><a href="{p.path}">{esc(p.story.title)}</a></li>' for p in stories)
    return f"""</div>
<div id="sidebar">
<h4>Most read</h4>
<ol class="mostread">{most_read}</ol>
<div class="advert"><span>Advertisement</span><a href="/advertise.html">
<img src="/static/ad-valley-motors.png" alt="Valley Motors" width="300" height="250"></a></div>
<h4>Contact the newsroom</h4>
<p class="small">Got a story? Email newsdesk@northern-ledger.example or call the newsroom.</p>
</div>
</div>
<div id="footer">
<p><a href="/">Front page</a> | <a href="/rss.xml">RSS</a> | <a
href="/about.html">About the Ledger</a> | <a href="/contact.html">Contact</a> | <a
href="/cookies.html">Cookies</a></p>
<p>{PUBLISHER_LINE} &copy; {world.today.year}</p>
</div>
</div>
<script type="text/javascript">
document.getElementById("cookie-ok").onclick = function () {{
  document.getElementById("cookiebar").style.display = "none";
  return false;
}};
</script>
</body>
</html>
"""


def teaser(placed: Placed) -> str:
    story = placed.story
    return (
        f'<div class="teaser"><a href="{placed.path}"><img src="/media/{story.lead.image}" '
        f'width="160" height="90" alt=""></a><h3><a href="{placed.path}">{esc(story.title)}</a>'
        f"</h3><p>{esc(story.standfirst)}</p></div>\n"
    )
