"""The demo news sites themselves: real HTTP on loopback against a started DemoServer."""

from __future__ import annotations

import gzip
import html
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from newsmill.pipeline.demo import DemoServer, ExpectedArticle
from newsmill.pipeline.demo.server import CASES, EXTRA_CASES

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# No proxy: an http_proxy in the environment must not swallow loopback requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=5) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.headers, err.read())


def visible_text(page: str) -> str:
    """Page text with tags removed and whitespace collapsed, for substring checks."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


@pytest.fixture
def fresh(server: DemoServer) -> Iterator[DemoServer]:
    """The shared server, with an empty request log and edition 1 guaranteed afterwards."""
    server.reset()
    yield server
    server.set_edition(1)
    server.reset()


def by_site(server: DemoServer, site: str, *, archive: bool = False) -> list[ExpectedArticle]:
    return [a for a in server.catalogue() if a.site == site and a.archive == archive]


def test_publishers_are_separate_hosts_on_one_port(server: DemoServer) -> None:
    urls = {p: urlsplit(server.base_url(p)) for p in ("gazette", "ledger", "elsewhere")}
    assert [u.hostname for u in urls.values()] == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert len({u.port for u in urls.values()}) == 1
    assert fetch(server.base_url("elsewhere") + "/anything/at/all").status == 200


def test_robots_txt(server: DemoServer) -> None:
    gazette = fetch(server.base_url("gazette") + "/robots.txt")
    assert gazette.status == 200 and gazette.headers.get_content_type() == "text/plain"
    assert "Disallow: /private/" in gazette.text
    assert f"Sitemap: {server.base_url('gazette')}/sitemap_index.xml" in gazette.text
    assert path_of(server.case_url("robots_disallowed")).startswith("/private/")
    ledger = fetch(server.base_url("ledger") + "/robots.txt")
    assert ledger.status == 200 and "Sitemap:" not in ledger.text


def test_sitemap_index_links_resolve_and_archive_is_only_in_its_sitemap(server: DemoServer) -> None:
    index = fetch(server.base_url("gazette") + "/sitemap_index.xml")
    assert index.status == 200
    root = ET.fromstring(index.body)
    children = [s.findtext("sm:loc", namespaces=NS) or "" for s in root.findall("sm:sitemap", NS)]
    assert {c.rsplit("/", 1)[1] for c in children} >= {
        "post-sitemap.xml",
        "news-sitemap.xml",
        "archive-sitemap.xml",
    }
    locs: dict[str, dict[str, str]] = {}
    for child in children:
        reply = fetch(child)
        assert reply.status == 200 and reply.headers.get_content_type() == "application/xml"
        name = child.rsplit("/", 1)[1]
        urls = ET.fromstring(reply.body).findall("sm:url", NS)
        locs[name] = {
            u.findtext("sm:loc", namespaces=NS) or "": u.findtext("sm:lastmod", namespaces=NS) or ""
            for u in urls
        }
    current = {a.canonical_url for a in by_site(server, "gazette")}
    archive = {a.canonical_url for a in by_site(server, "gazette", archive=True)}
    assert current <= set(locs["post-sitemap.xml"]) and all(locs["post-sitemap.xml"].values())
    assert set(locs["archive-sitemap.xml"]) == archive and len(archive) >= 3
    assert all(mod.startswith("2019-") for mod in locs["archive-sitemap.xml"].values())
    assert all("/2019/" in url for url in archive)
    feed = fetch(server.base_url("gazette") + "/feed/").text
    home = fetch(server.base_url("gazette") + "/").text
    for url in archive:
        assert url not in locs["post-sitemap.xml"] and url not in feed and url not in home
        assert fetch(url).status == 200


def test_news_sitemap_has_publication_dates(server: DemoServer) -> None:
    body = fetch(server.base_url("gazette") + "/news-sitemap.xml").body
    entries = ET.fromstring(body).findall("sm:url", NS)
    expected = {a.canonical_url: a for a in by_site(server, "gazette")}
    seen = set()
    for entry in entries:
        loc = entry.findtext("sm:loc", namespaces=NS) or ""
        news = entry.find("news:news", NS)
        assert news is not None
        assert news.findtext("news:publication/news:name", namespaces=NS) == "The Harbour Gazette"
        assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
        date = news.findtext("news:publication_date", namespaces=NS) or ""
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", date)
        assert news.findtext("news:title", namespaces=NS) == expected[loc].title
        seen.add(loc)
    assert seen == set(expected)


def test_feeds_list_current_articles_with_metadata(server: DemoServer) -> None:
    gazette = ET.fromstring(fetch(server.base_url("gazette") + "/feed/").body)
    items = gazette.findall("channel/item")
    expected = {a.canonical_url: a for a in by_site(server, "gazette")}
    assert {i.findtext("link") for i in items} == set(expected)
    for item in items:
        exp = expected[item.findtext("link") or ""]
        assert [c.text for c in item.findall("dc:creator", NS)] == exp.authors
        assert item.findtext("pubDate") and item.findall("category")
    ledger = ET.fromstring(fetch(server.base_url("ledger") + "/rss.xml").body)
    links = {i.findtext("link") for i in ledger.findall("channel/item")}
    assert links == {a.canonical_url for a in by_site(server, "ledger")}


def test_flaky_page_fails_once_then_serves(fresh: DemoServer) -> None:
    url = fresh.case_url("flaky")
    first = fetch(url)
    assert first.status == 503 and first.headers["Retry-After"]
    assert fetch(url).status == 200
    assert fetch(url).status == 200
    fresh.reset()
    assert fetch(url).status == 503


def test_cp1252_page_is_really_windows_1252(server: DemoServer) -> None:
    reply = fetch(server.case_url("cp1252"))
    assert reply.headers.get_content_charset() == "windows-1252"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">' in (
        reply.body
    )
    for char in "“”‘’é£—€":
        assert char.encode("cp1252") in reply.body, char
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    text = visible_text(reply.body.decode("cp1252"))
    article = next(a for a in server.catalogue() if a.canonical_url == server.case_url("cp1252"))
    assert all(p in text for p in article.paragraphs)
    assert "£40,000" in article.title and "é" in article.paragraphs[0]


def test_calendar_goes_on_forever(server: DemoServer) -> None:
    url = server.case_url("calendar")
    for _ in range(4):
        page = fetch(url)
        assert page.status == 200
        nxt = re.search(r'href="([^"]+)"\s+rel="next"', page.text)
        prev = re.search(r'href="([^"]+)"\s+rel="prev"', page.text)
        assert nxt and prev and "/calendar/" in nxt[1]
        url = server.base_url("ledger") + nxt[1]
    assert fetch(server.base_url("ledger") + "/calendar/2999/12/").text.count("/calendar/3000/01/")
    assert fetch(server.base_url("ledger") + "/calendar/2025/13/").status == 404


def test_case_urls_behave_as_advertised(server: DemoServer) -> None:
    server.reset()
    home = fetch(server.base_url("gazette") + "/").text
    for name in ("tracking", "amp", "robots_disallowed", "offdomain"):
        assert html.escape(server.case_url(name)) in home, name

    amp = fetch(server.case_url("amp"))
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', amp.text)
    assert amp.status == 200 and canonical and not canonical[1].endswith("/amp/")
    original = fetch(canonical[1]).text
    assert f'<link rel="amphtml" href="{server.case_url("amp")}">' in original

    tracked = server.case_url("tracking")
    assert "utm_source=" in tracked and "utm_medium=" in tracked
    clean = tracked.split("?")[0]
    assert f'<link rel="canonical" href="{clean}">' in fetch(tracked).text

    pdf = fetch(server.case_url("non_html"))
    assert pdf.headers.get_content_type() == "application/pdf" and pdf.body.startswith(b"%PDF-")
    assert pdf.body.rstrip().endswith(b"%%EOF")

    broken = fetch(server.case_url("broken"))
    assert broken.status == 200 and broken.headers.get_content_type() == "text/html"
    assert b"</html>" not in broken.body and b"<p>" not in broken.body

    assert urlsplit(server.case_url("offdomain")).hostname == "127.0.0.4"
    shortlink = fetch(server.case_url("shortlink"))
    assert shortlink.status == 301 and shortlink.headers["Location"] == canonical[1]
    assert set(CASES) | set(EXTRA_CASES) == {n for n in CASES + EXTRA_CASES if server.case_url(n)}
    with pytest.raises(KeyError):
        server.case_url("nonsense")


def test_syndicated_copy_has_identical_body_and_its_own_canonical(server: DemoServer) -> None:
    catalogue = {a.canonical_url: a for a in server.catalogue()}
    copy = catalogue[server.case_url("syndicated")]
    assert copy.site == "ledger" and copy.syndicated_of in catalogue
    original = catalogue[copy.syndicated_of]
    assert copy.paragraphs == original.paragraphs and copy.canonical_url != original.canonical_url
    page = fetch(copy.canonical_url).text
    assert f'<link rel="canonical" href="{copy.canonical_url}">' in page


def test_catalogue_pages_serve_their_text_and_boilerplate(fresh: DemoServer) -> None:
    fetch(fresh.case_url("flaky"))  # use up the one 503
    catalogue = fresh.catalogue()
    assert {a.site for a in catalogue} == {"gazette", "ledger"}
    assert any(a.language == "fr" for a in catalogue)
    for art in catalogue:
        reply = fetch(art.canonical_url)
        assert reply.status == 200, art.canonical_url
        assert reply.headers.get_content_type() == "text/html"
        assert int(reply.headers["Content-Length"]) == len(reply.body)
        assert reply.headers["Last-Modified"]
        page = reply.body.decode(reply.headers.get_content_charset() or "utf-8")
        text = visible_text(page)
        positions = [text.find(p) for p in art.paragraphs]
        assert -1 not in positions, art.canonical_url
        assert positions == sorted(positions), art.canonical_url
        assert f'lang="{art.language}' in page
        for junk in art.boilerplate:
            assert junk in text, (art.canonical_url, junk)
            assert not any(junk in p for p in art.paragraphs), (art.canonical_url, junk)
        assert re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", art.published_at)


def test_catalogue_prose_is_sized_and_unique(server: DemoServer) -> None:
    seen: dict[str, str] = {}
    for art in server.catalogue():
        words = len(" ".join(art.paragraphs).split())
        assert 250 <= words <= 600, (art.canonical_url, words)
        if art.syndicated_of:
            continue
        for para in art.paragraphs:
            assert seen.setdefault(para, art.canonical_url) == art.canonical_url, para


def test_edition_two_adds_and_changes_exactly_what_it_says(fresh: DemoServer) -> None:
    g, led = fresh.base_url("gazette"), fresh.base_url("ledger")
    first = {a.canonical_url: a for a in fresh.catalogue()}
    stable = [
        f"{g}/",
        f"{g}/robots.txt",
        f"{g}/section/news/",
        f"{g}/archive-sitemap.xml",
        f"{led}/",
        f"{led}/section/news/",
        fresh.case_url("calendar"),
        fresh.case_url("amp"),
    ] + [url for url in first if url != fresh.case_url("changed")]
    fetch(fresh.case_url("flaky"))
    before = {url: fetch(url).body for url in stable}
    changed_before = fetch(fresh.case_url("changed")).text
    post_before = fetch(f"{g}/post-sitemap.xml").text

    fresh.set_edition(2)
    second = {a.canonical_url: a for a in fresh.catalogue()}
    added = set(second) - set(first)
    assert added == {fresh.case_url("new_gazette"), fresh.case_url("new_ledger")}
    assert all(second[u].edition == 2 for u in added) and set(first) <= set(second)
    revised = [u for u in first if first[u].paragraphs != second[u].paragraphs]
    assert revised == [fresh.case_url("changed")]
    for url in stable:
        assert fetch(url).body == before[url], url

    changed_after = fetch(fresh.case_url("changed")).text
    modified = r'"dateModified": "([^"]+)"'
    assert re.findall(modified, changed_after)[0] > re.findall(modified, changed_before)[0]
    post_after = fetch(f"{g}/post-sitemap.xml").text
    lastmod = rf"<loc>{re.escape(fresh.case_url('changed'))}</loc>\s*<lastmod>([^<]+)<"
    assert re.findall(lastmod, post_after)[0] > re.findall(lastmod, post_before)[0]
    assert fresh.case_url("new_gazette") in post_after
    for doc in ("/feed/", "/news-sitemap.xml"):
        assert fresh.case_url("new_gazette") in fetch(g + doc).text
    assert fresh.case_url("new_ledger") in fetch(f"{led}/rss.xml").text


def test_request_log_records_requests(fresh: DemoServer) -> None:
    url = fresh.base_url("ledger") + "/section/news/?page=2"
    fetch(url, headers={"User-Agent": "demo-test/1.0"})
    fetch(fresh.base_url("gazette") + "/no/such/page/", method="HEAD")
    log = fresh.requests
    assert [(r.host, r.path, r.query, r.method, r.status) for r in log] == [
        ("127.0.0.3", "/section/news/", "page=2", "GET", 200),
        ("127.0.0.2", "/no/such/page/", "", "HEAD", 404),
    ]
    assert log[0].user_agent == "demo-test/1.0" and log[0].port == urlsplit(url).port
    assert fresh.requested("ledger", "/section/") and not fresh.requested("gazette", "/section/")
    fresh.reset()
    assert fresh.requests == []


def test_http_niceties(server: DemoServer) -> None:
    url = server.base_url("gazette") + "/feed/"
    plain = fetch(url)
    zipped = fetch(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body
    since = fetch(url, headers={"If-Modified-Since": plain.headers["Last-Modified"]})
    assert since.status == 304 and since.body == b""
    head = fetch(url, method="HEAD")
    assert head.body == b"" and int(head.headers["Content-Length"]) == len(plain.body)
    assert fetch(server.base_url("ledger") + "/nope.html").status == 404


def test_sites_file(server: DemoServer, tmp_path: Path) -> None:
    path = server.write_sites_file(tmp_path / "conf" / "sites.yaml", delay=0.25, concurrency=2)
    data = yaml.safe_load(path.read_text())
    assert data["allow_private_networks"] == ["127.0.0.0/8"]
    assert data["defaults"] == {
        "delay": 0.25,
        "concurrency": 2,
        "obey_robots": True,
        "user_agent": "newsmill-demo (+https://example.org/newsmill)",
        "max_age_days": 30,
    }
    sites = {s["name"]: s for s in data["sites"]}
    keys = {"name", "domains", "feeds", "start_urls", "article_urls", "follow_urls", "max_depth"}
    assert keys | {"sitemaps", "language"} == set(sites["gazette"])
    assert keys == set(sites["ledger"])
    assert sites["gazette"]["domains"] == ["127.0.0.2"] and sites["ledger"]["max_depth"] == 3

    def matches(site: str, key: str, url: str) -> bool:
        return any(re.search(p, url) for p in sites[site][key])

    for art in server.catalogue():
        assert matches(art.site, "article_urls", art.canonical_url), art.canonical_url
    for name in ("non_html", "broken", "syndicated", "cp1252"):
        assert matches("ledger", "article_urls", server.case_url(name)), name
    assert matches("gazette", "article_urls", server.case_url("robots_disallowed"))
    assert matches("gazette", "article_urls", path_of(server.case_url("offdomain")))
    assert not matches("gazette", "article_urls", server.case_url("amp"))
    assert matches("ledger", "follow_urls", server.case_url("calendar"))
    assert fetch(sites["gazette"]["sitemaps"][0]).status == 200
    assert all(fetch(url).status == 200 for s in sites.values() for url in s["feeds"])


STORY_FILE = """---
publisher: ledger
number: 7
slug: test-story
title: A test story
standfirst: One line.
authors: [A. Writer]
section: News
published: {days_ago: 2, at: '09:05+02:00'}
lead:
  image: lead.png
  caption: The lead picture.
  credit: 'Picture: A. Writer'
revision:
  modified: {days_ago: 1, at: '10:00+02:00'}
---

The first paragraph, wrapped over
two lines, with [a link](story:gazette-seals) in it.

## A heading

```figure
image: inline.png
caption: An inline picture.
credit: 'Picture: B. Snapper'
alt: Something
```

```tweet
text: Hello from the tweet.
author: Someone
handle: someone
status_id: '123'
```

<!-- revision -->

Only this paragraph from edition 2 on.
"""


def test_story_file_markdown_becomes_the_story_blocks() -> None:
    from newsmill.pipeline.demo.model import Ago, Figure, Heading, Para, Tweet
    from newsmill.pipeline.demo.storyfile import parse_story

    story = parse_story("ledger-test", STORY_FILE, "test.md", {})
    assert story.published == Ago(2, 9, 5, 2)
    assert story.body == (
        Para(
            "The first paragraph, wrapped over two lines, with a link in it.",
            (("a link", "story:gazette-seals"),),
        ),
        Heading("A heading"),
        Figure("inline.png", "An inline picture.", "Picture: B. Snapper", "Something"),
        Tweet("Hello from the tweet.", "Someone", "someone", "123"),
    )
    assert story.revision is not None
    assert story.revision.body == (Para("Only this paragraph from edition 2 on."),)
    assert story.revision.modified == Ago(1, 10, 0, 2)


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        (STORY_FILE.replace("title: A test story\n", ""), "missing field or story 'title'"),
        (STORY_FILE.replace("```figure", "```chart"), "unknown fenced block 'chart'"),
        (STORY_FILE.replace("'09:05+02:00'", "'09:05'"), "needs a UTC offset"),
        (STORY_FILE.removeprefix("---\n"), "no YAML front matter"),
    ],
)
def test_a_broken_story_file_is_named_with_what_is_wrong(broken: str, complaint: str) -> None:
    from newsmill.pipeline.demo.storyfile import StoryFileError, parse_story

    with pytest.raises(StoryFileError, match=re.escape(complaint)) as caught:
        parse_story("ledger-test", broken, "content/stories/ledger-test.md", {})
    assert "content/stories/ledger-test.md" in str(caught.value)


def test_every_story_file_is_served_with_its_text(server: DemoServer) -> None:
    from newsmill.pipeline.demo.stories import all_stories, cases

    # A story file added to content/stories shows up in the catalogue with no code change.
    keys = {s.key for s in all_stories()}
    assert set(cases().values()) <= keys
    stories = [s for s in all_stories() if s.edition <= server.edition]
    assert len(server.catalogue()) == len(stories)
    standfirsts = {a.description for a in server.catalogue()}
    for story in stories:
        assert story.standfirst in standfirsts, story.key
