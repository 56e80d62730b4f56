"""The Harbour Gazette's page shell: a WordPress theme's head, masthead, sidebar and footer.

Everything here is boilerplate a crawler sees on every page; none of it may reach a record.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsmill.pipeline.demo.data import page_text
from newsmill.pipeline.demo.markup import attr, esc, long_date
from newsmill.pipeline.demo.model import Placed, World

TEXT = page_text("gazette")
NAME: str = TEXT["name"]
TAGLINE: str = TEXT["tagline"]
SECTIONS: tuple[str, ...] = tuple(TEXT["sections"])
COOKIE_TEXT: str = TEXT["cookie_notice"]
FOOTER_COMPANY: str = TEXT["footer_company"]
WP_VERSION = "6.5.2"


def amp_path(placed: Placed) -> str:
    return placed.path + "amp/"


def section_path(section: str) -> str:
    return f"/section/{section.lower()}/"


def author_slug(name: str) -> str:
    return "-".join(name.lower().replace(".", "").split())


def media_url(world: World, placed: Placed, image: str) -> str:
    return f"{world.bases['gazette']}/wp-content/uploads/{placed.published:%Y/%m}/{image}"


def listed(world: World) -> list[Placed]:
    """Stories on listing pages: the first edition's, so those pages never change between runs."""
    return [p for p in world.stories("gazette") if p.story.edition == 1]


def names_html(world: World, authors: Iterable[str]) -> str:
    base = world.bases["gazette"]
    links = [
        f'<span class="author vcard"><a class="url fn n" href="{base}/author/{author_slug(a)}/">'
        f"{esc(a)}</a></span>"
        for a in authors
    ]
    if len(links) == 1:
        return links[0]
    return ", ".join(links[:-1]) + " and " + links[-1]


def head(
    world: World,
    *,
    title: str,
    description: str,
    canonical: str,
    extra: str = "",
) -> str:
    base = world.bases["gazette"]
    return f"""<!DOCTYPE html>
<html lang="en-GB" prefix="og: https://ogp.me/ns#">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="profile" href="https://gmpg.org/xfn/11">
<title>{esc(title)}</title>
<meta name="description" content="{attr(description)}">
<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1">
<link rel="canonical" href="{attr(canonical)}">
{extra}<link rel="alternate" type="application/rss+xml" title="{NAME} &raquo; Feed"
href="{base}/feed/">
<link rel="https://api.w.org/" href="{base}/wp-json/">
<link rel="stylesheet" id="harbour-style-css"
href="{base}/wp-content/themes/harbour/style.css?ver=2.4.1" media="all">
<style id="global-styles-inline-css">
body{{--wp--preset--color--harbour-blue:#123a5c;--wp--preset--font-size--small:13px;}}
.cookie-notice{{position:fixed;bottom:0;left:0;right:0;background:#111;color:#fff;padding:1em;z-index:999}}
.newsletter-promo{{border:2px solid #123a5c;padding:1.2em;margin:2em 0}}
</style>
<script src="{base}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<meta name="generator" content="WordPress {WP_VERSION}">
</head>
"""


def masthead(world: World) -> str:
    base = world.bases["gazette"]
    today = world.today
    menu = "\n".join(
        f'<li class="menu-item menu-item-type-taxonomy"><a href="{base}{section_path(s)}">'
        f"{s}</a></li>"
        for s in SECTIONS
    )
    return f"""<div id="cookie-notice" class="cookie-notice" role="dialog"
aria-label="Cookie consent">
<div class="cookie-notice-container">
<p id="cn-notice-text">{COOKIE_TEXT} Find out more in our <a
href="{base}/cookie-policy/">cookie policy</a>.</p>
<button id="cn-accept-cookie" class="cn-button">Accept all</button> <button id="cn-manage"
class="cn-button">Manage options</button></div>
</div>
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="page" class="site">
<div class="top-bar"><span class="today">{today:%A} {today.day} {today:%B %Y}</span>
<ul class="top-links"><li><a href="{base}/support/">Subscribe</a></li><li>
<a href="{base}/wp-login.php">Log in</a></li><li><a href="{base}/contact/">Contact us</a></li></ul>
</div>
<header id="masthead" class="site-header" role="banner">
<div class="site-branding">
<p class="site-title"><a href="{base}/" rel="home">{NAME}</a></p>
<p class="site-description">{TAGLINE}</p>
</div>
<nav id="site-navigation" class="main-navigation" aria-label="Primary menu">
<button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Menu</button>
<ul id="primary-menu" class="menu">
<li class="menu-item menu-item-home"><a href="{base}/">Home</a></li>
{menu}
<li class="menu-item"><a href="{base}/about/">About</a></li>
</ul>
</nav>
</header>
<div id="content" class="site-content">
"""


def sidebar(world: World, exclude: str | None = None) -> str:
    stories = [p for p in listed(world) if p.key != exclude][:4]
    items = "\n".join(f'<li><a href="{p.url}">{esc(p.story.title)}</a></li>' for p in stories)
    return f"""<aside id="secondary" class="widget-area" role="complementary">
<section id="most-read" class="widget widget_most_read"><h2 class="widget-title">Most read</h2>
<ol>
{items}
</ol></section>
<section id="ad-mpu" class="widget widget_ad">
<h2 class="widget-title screen-reader-text">Advertisement</h2>
<div class="ad-slot" data-slot="mpu-1">Advertisement</div></section>
<section id="follow" class="widget"><h2 class="widget-title">Follow the Gazette</h2>
<ul class="social"><li><a href="https://www.facebook.com/harbourgazette">Facebook</a></li><li>
<a href="https://twitter.com/harbourgazette">X / Twitter</a></li><li>
<a href="https://www.instagram.com/harbourgazette">Instagram</a></li></ul></section>
</aside>
"""


def footer(world: World) -> str:
    base = world.bases["gazette"]
    links = "".join(f'<li><a href="{base}{section_path(s)}">{s}</a></li>' for s in SECTIONS)
    return f"""</div><!-- #content -->
<footer id="colophon" class="site-footer" role="contentinfo">
<div class="footer-widgets">
<section class="footer-col"><h2>Sections</h2><ul>{links}</ul></section>
<section class="footer-col"><h2>The Gazette</h2><ul><li><a href="{base}/about/">About us</a></li>
<li><a href="{base}/contact/">Contact</a></li><li><a href="{base}/support/">Become a member</a></li>
<li><a href="{base}/feed/">RSS</a></li></ul></section>
<section class="footer-col"><h2>Legal</h2><ul><li>
<a href="{base}/privacy-policy/">Privacy policy</a></li><li>
<a href="{base}/cookie-policy/">Cookie policy</a></li><li>
<a href="{base}/corrections/">Corrections and complaints</a></li></ul></section>
</div>
<div class="site-info">&copy; {world.today.year} {FOOTER_COMPANY}
Proudly powered by WordPress.</div>
</footer>
</div><!-- #page -->
<script id="harbour-navigation-js"
src="{base}/wp-content/themes/harbour/js/navigation.js?ver=2.4.1"></script>
<script>document.getElementById("cn-accept-cookie").addEventListener("click",function(){{document.getElementById("cookie-notice").remove();}});</script>
</body>
</html>
"""


def page(
    world: World, head_html: str, body_class: str, main: str, exclude: str | None = None
) -> str:
    return (
        head_html
        + f'<body class="{body_class}">\n'
        + masthead(world)
        + main
        + sidebar(world, exclude)
        + footer(world)
    )


def story_card(world: World, placed: Placed, href: str | None = None) -> str:
    story = placed.story
    image = media_url(world, placed, story.lead.image)
    link = href or placed.url
    return f"""<article
class="post-{story.number} post type-post status-publish hentry category-{story.section.lower()}">
<a class="post-thumbnail" href="{attr(link)}">
<img width="400" height="225" src="{image}" alt="{attr(story.lead.alt)}" loading="lazy"></a>
<header class="entry-header"><span class="cat-links">{story.section}</span>
<h2 class="entry-title"><a href="{attr(link)}" rel="bookmark">{esc(story.title)}</a></h2></header>
<div class="entry-summary"><p>{esc(story.standfirst)}</p></div>
<div class="entry-meta">By {", ".join(esc(a) for a in story.authors)} &middot; <time
datetime="{placed.published.isoformat()}">{long_date(placed.published)}</time></div>
</article>
"""
