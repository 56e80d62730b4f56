"""Discovery documents: feeds and sitemaps parsed from bytes, as servers send them."""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime

import pytest

from newsmill.spiders.discover.documents import parse_discovery

RSS = b"""\xef\xbb\xbf
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>The Gazette</title>
    <language>en-GB</language>
    <item>
      <title>  Council  approves
        new budget </title>
      <link>
        https://gazette.example/2024/05/01/budget/?utm_source=rss
      </link>
      <pubDate>Wed, 01 May 2024 09:15:00 +0100</pubDate>
      <dc:creator><![CDATA[Jane Doe]]></dc:creator>
      <dc:creator>John Roe</dc:creator>
      <category>Politics</category>
      <category>Local</category>
      <content:encoded><![CDATA[<p>Body</p>]]></content:encoded>
    </item>
    <item>
      <title>Relative link, guid only</title>
      <guid isPermaLink="true">/2024/05/02/guid-only/</guid>
      <pubDate>not a date</pubDate>
    </item>
    <item>
      <title>No link at all</title>
      <guid isPermaLink="false">tag:gazette,2024:3</guid>
    </item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-FR">
  <title>Le Registre</title>
  <entry>
    <title>Une histoire</title>
    <link rel="self" href="https://ledger.example/api/1"/>
    <link rel="alternate" type="text/html" href="https://ledger.example/news/1-une-histoire.html"/>
    <published>2024-05-01T08:00:00Z</published>
    <updated>2024-05-02T10:30:00+02:00</updated>
    <author><name>Marie Curie</name></author>
    <category term="science" label="Science"/>
  </entry>
  <entry>
    <title>Only href, no rel</title>
    <link href="/news/2-second.html"/>
    <updated>2024-05-03</updated>
  </entry>
</feed>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc> https://gazette.example/post-sitemap.xml </loc>
    <lastmod>2024-05-02T10:00:00+00:00</lastmod>
  </sitemap>
  <sitemap><loc>https://gazette.example/archive-sitemap.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
  <sitemap><loc>https://gazette.example/news-sitemap.xml</loc></sitemap>
</sitemapindex>
"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://gazette.example/2024/05/01/budget/</loc>
    <lastmod>2024-05-01T12:00:00Z</lastmod>
    <news:news>
      <news:publication>
        <news:name>The Gazette</news:name>
        <news:language>en</news:language>
      </news:publication>
      <news:publication_date>2024-05-01T09:15:00+01:00</news:publication_date>
      <news:title>Council approves new budget</news:title>
      <news:keywords>budget, council</news:keywords>
    </news:news>
  </url>
  <url><loc>https://gazette.example/2024/04/30/older/</loc></url>
</urlset>
"""


def test_rss_items() -> None:
    doc = parse_discovery(RSS, "https://gazette.example/feed/")
    assert doc.kind == "rss" and doc.error is None
    assert [e.url for e in doc.entries] == [
        "https://gazette.example/2024/05/01/budget/?utm_source=rss",
        "https://gazette.example/2024/05/02/guid-only/",
    ]
    first, second = doc.entries
    assert first.via == "feed"
    assert first.title == "Council approves new budget"
    assert first.published == datetime(2024, 5, 1, 8, 15, tzinfo=UTC)
    assert first.authors == ("Jane Doe", "John Roe")
    assert first.categories == ("Politics", "Local")
    assert first.language == "en"
    assert second.published is None  # "not a date" is not guessed
    assert first.hints() == {
        "via": "feed",
        "title": "Council approves new budget",
        "published": "2024-05-01T08:15:00Z",
        "authors": ["Jane Doe", "John Roe"],
        "categories": ["Politics", "Local"],
        "language": "en",
    }


def test_atom_entries() -> None:
    doc = parse_discovery(ATOM, "https://ledger.example/atom.xml")
    assert doc.kind == "atom" and doc.error is None
    first, second = doc.entries
    assert first.url == "https://ledger.example/news/1-une-histoire.html"  # rel=alternate
    assert first.published == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert first.modified == datetime(2024, 5, 2, 8, 30, tzinfo=UTC)
    assert first.newest == first.modified
    assert first.authors == ("Marie Curie",)
    assert first.categories == ("Science",)
    assert first.language == "fr"
    assert second.url == "https://ledger.example/news/2-second.html"
    assert second.modified == datetime(2024, 5, 3, tzinfo=UTC)


def test_sitemap_index_with_lastmod() -> None:
    doc = parse_discovery(INDEX, "https://gazette.example/sitemap_index.xml")
    assert doc.kind == "sitemapindex" and not doc.entries
    assert [(s.url, s.lastmod) for s in doc.sitemaps] == [
        ("https://gazette.example/post-sitemap.xml", datetime(2024, 5, 2, 10, tzinfo=UTC)),
        ("https://gazette.example/archive-sitemap.xml", datetime(2019, 12, 31, tzinfo=UTC)),
        ("https://gazette.example/news-sitemap.xml", None),
    ]


def test_news_sitemap_publication_date() -> None:
    doc = parse_discovery(NEWS, "https://gazette.example/news-sitemap.xml")
    assert doc.kind == "urlset" and doc.error is None
    news, plain = doc.entries
    assert news.via == "sitemap"
    assert news.published == datetime(2024, 5, 1, 8, 15, tzinfo=UTC)
    assert news.modified == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert news.title == "Council approves new budget"
    assert news.language == "en"
    assert news.categories == ("budget", "council")
    assert news.hints()["published"] == "2024-05-01T08:15:00Z"
    assert news.hints()["modified"] == "2024-05-01T12:00:00Z"
    assert plain.url == "https://gazette.example/2024/04/30/older/"
    assert plain.published is None and plain.modified is None


def test_gzip_body_without_content_encoding() -> None:
    doc = parse_discovery(gzip.compress(NEWS), "https://gazette.example/sitemap.xml.gz")
    assert doc.kind == "urlset" and len(doc.entries) == 2


def test_old_sitemap_namespace_and_text_sitemap() -> None:
    old = NEWS.replace(b"http://www.sitemaps.org/schemas/sitemap/0.9",
                       b"http://www.google.com/schemas/sitemap/0.84")
    assert len(parse_discovery(old).entries) == 2
    text = b"https://gazette.example/a/\n\nhttps://gazette.example/b/\n"
    doc = parse_discovery(text)
    assert doc.kind == "text" and [e.url for e in doc.entries] == [
        "https://gazette.example/a/", "https://gazette.example/b/"
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"<rss><channel><item><link>https://x.example/a</link></item><item><link>",
        b"<html><body>Not a feed</body></html>",
        b"",
        b"\x1f\x8b\x08garbage",
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
        b"<urlset><url><loc>&e;</loc></url></urlset>",
    ],
)
def test_malformed_documents_are_logged_not_raised(
    body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="newsmill.spiders.discover.documents"):
        doc = parse_discovery(body, "https://x.example/feed")
    for entry in doc.entries:
        assert "passwd" not in entry.url and entry.url.startswith("https://")
    if body.startswith(b"<rss"):
        # What precedes the damage is kept.
        assert [e.url for e in doc.entries][:1] == ["https://x.example/a"]
    if doc.error:
        assert "https://x.example/feed" in caplog.text
    else:
        assert body.startswith(b"<?xml")  # well-formed; the external entity is not expanded


def test_malformed_xml_reports_error() -> None:
    doc = parse_discovery(b"<urlset><url><loc>https://x.example/a</loc></url>", "u")
    assert doc.error and "malformed XML" in doc.error


def _dated(value: str) -> list[datetime | None]:
    """The date a feed's pubDate and a sitemap's lastmod holding `value` are read as."""
    feed = parse_discovery(
        f"<rss><channel><item><link>https://x.example/a</link><pubDate>{value}</pubDate>"
        "</item></channel></rss>".encode(), "https://x.example/feed"
    )
    sitemap = parse_discovery(
        f"<urlset><url><loc>https://x.example/a</loc><lastmod>{value}</lastmod></url>"
        "</urlset>".encode(), "https://x.example/sitemap.xml"
    )
    return [feed.entries[0].published, sitemap.entries[0].modified]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00.5-05:00", datetime(2024, 5, 1, 15, 0, 0, 500000, tzinfo=UTC)),
        ("Wed, 01 May 2024 09:15:00 GMT", datetime(2024, 5, 1, 9, 15, tzinfo=UTC)),
        ("Wed, 01 May 2024 09:15:00 EDT", datetime(2024, 5, 1, 13, 15, tzinfo=UTC)),
        # Feeds from localised CMS installs write RFC 822 with the site's own day and month names.
        ("mer., 01 mai 2024 09:15:00 +0200", datetime(2024, 5, 1, 7, 15, tzinfo=UTC)),
        ("Mi, 01 Mai 2024 09:15:00 +0200", datetime(2024, 5, 1, 7, 15, tzinfo=UTC)),
        ("yesterday", None),
        ("03/05/2024", None),  # day and month could be either way round: not guessed
        ("", None),
    ],
)
def test_feed_and_sitemap_dates(value: str, expected: datetime | None) -> None:
    assert _dated(value) == [expected, expected]
