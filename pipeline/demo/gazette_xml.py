"""The Harbour Gazette's machine-readable side: robots.txt, RSS feed, Yoast-style sitemaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import escape

from newsmill.pipeline.demo import gazette_chrome as chrome
from newsmill.pipeline.demo.markup import iso, rfc822
from newsmill.pipeline.demo.model import Placed, World

# Static pages were last touched long ago; a fixed date keeps their sitemap stable.
PAGES_MODIFIED = datetime(2023, 5, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))
STATIC_PAGES = ("/about/", "/contact/")
PRIVATE_PREFIX = "/private/"


def robots(world: World) -> str:
    base = world.bases["gazette"]
    return (
        "User-agent: *\n"
        f"Disallow: {PRIVATE_PREFIX}\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {base}/sitemap_index.xml\n"
    )


def _cdata(text: str) -> str:
    return f"<![CDATA[{text}]]>"


def feed(world: World) -> str:
    base = world.bases["gazette"]
    stories = world.stories("gazette")
    items = []
    for p in stories:
        s = p.story
        creators = "".join(f"\n\t\t<dc:creator>{_cdata(a)}</dc:creator>" for a in s.authors)
        cats = "".join(f"\n\t\t<category>{_cdata(c)}</category>" for c in (s.section, *s.tags))
        # WordPress prints feed dates in UTC; the pages themselves carry the local offset.
        items.append(
            f"""	<item>
		<title>{escape(s.title)}</title>
		<link>{p.url}</link>
		<comments>{p.url}#respond</comments>{creators}
		<pubDate>{rfc822(p.published.astimezone(UTC))}</pubDate>{cats}
		<guid isPermaLink="false">{base}/?p={s.number}</guid>
		<description>{_cdata(s.standfirst)}</description>
		<slash:comments>{len(s.comments)}</slash:comments>
	</item>"""
        )
    built = world.last_modified("gazette").astimezone(UTC)
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>{chrome.NAME}</title>
	<atom:link href="{base}/feed/" rel="self" type="application/rss+xml" />
	<link>{base}/</link>
	<description>{chrome.TAGLINE}</description>
	<lastBuildDate>{rfc822(built)}</lastBuildDate>
	<language>en-GB</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v={chrome.WP_VERSION}</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def _urlset(entries: list[str], extra_ns: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{extra_ns}>\n'
        + "\n".join(entries)
        + "\n</urlset>\n"
    )


def _url_entry(world: World, p: Placed) -> str:
    image = chrome.media_url(world, p, p.story.lead.image)
    return (
        f"\t<url>\n\t\t<loc>{p.url}</loc>\n\t\t<lastmod>{iso(p.modified)}</lastmod>\n"
        f"\t\t<image:image>\n\t\t\t<image:loc>{image}</image:loc>\n\t\t</image:image>\n\t</url>"
    )


IMAGE_NS = ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'


def post_sitemap(world: World) -> str:
    base = world.bases["gazette"]
    stories = world.stories("gazette")
    home = (
        f"\t<url>\n\t\t<loc>{base}/</loc>\n\t\t<lastmod>{iso(world.last_modified('gazette'))}"
        "</lastmod>\n\t</url>"
    )
    return _urlset([home, *(_url_entry(world, p) for p in stories)], IMAGE_NS)


def archive_sitemap(world: World) -> str:
    return _urlset([_url_entry(world, p) for p in world.stories("gazette", archive=True)], IMAGE_NS)


def page_sitemap(world: World) -> str:
    base = world.bases["gazette"]
    return _urlset(
        [
            f"\t<url>\n\t\t<loc>{base}{path}</loc>\n\t\t<lastmod>{iso(PAGES_MODIFIED)}</lastmod>\n\t</url>"
            for path in STATIC_PAGES
        ]
    )


def news_sitemap(world: World) -> str:
    entries = []
    for p in world.stories("gazette"):
        entries.append(
            f"""	<url>
		<loc>{p.url}</loc>
		<news:news>
			<news:publication>
				<news:name>{chrome.NAME}</news:name>
				<news:language>en</news:language>
			</news:publication>
			<news:publication_date>{iso(p.published)}</news:publication_date>
			<news:title>{escape(p.story.title)}</news:title>
		</news:news>
	</url>"""
        )
    return _urlset(entries, ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')


def sitemap_index(world: World) -> str:
    base = world.bases["gazette"]
    current = iso(world.last_modified("gazette"))
    parts = (
        ("post-sitemap.xml", current),
        ("page-sitemap.xml", iso(PAGES_MODIFIED)),
        ("archive-sitemap.xml", iso(world.last_modified("gazette", archive=True))),
        ("news-sitemap.xml", current),
    )
    entries = "\n".join(
        f"\t<sitemap>\n\t\t<loc>{base}/{name}</loc>\n\t\t<lastmod>{mod}</lastmod>\n\t</sitemap>"
        for name, mod in parts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}\n</sitemapindex>\n"
    )


def sitemap_modified(world: World, name: str) -> datetime:
    if name == "page-sitemap.xml":
        return PAGES_MODIFIED
    if name == "archive-sitemap.xml":
        return world.last_modified("gazette", archive=True)
    return world.last_modified("gazette")
