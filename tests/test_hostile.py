"""Hostile pages against real loopback servers: SSRF, limits, traps, bad input. Nothing lost."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import run_cli
from hostile_server import FAST, HOST, PRIVATE, HostileServer, RebindingDNS, gzip_bomb
from warcio.warcwriter import WARCWriter

from newsmill.pipeline.app.process import process_keys
from newsmill.pipeline.warc.records import raw_key
from newsmill.spiders import settings as S
from newsmill.spiders.guards.decoded_size import MAX_DEFLATE_RATIO, decoded_size_exceeds
from newsmill.spiders.guards.limits import TrapGuard, url_shape
from newsmill.spiders.runner.crawl import run_crawl
from newsmill.storage import open_store

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def _quarantine(store_dir: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for path in sorted(store_dir.glob("quarantine/date=*/*.jsonl")):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            out[str(entry["url"])] = entry
    return out


def test_newsmill_run_over_the_hostile_site(hostile: HostileServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(hostile.sites_yaml())
    store = tmp_path / "store"

    proc = run_cli("run", "--sites", str(sites), "--store", str(store), "--json", "-q",
                   env={"NEWSMILL_CRAWL_SETTINGS": json.dumps(FAST)})

    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    counts = report["sites"]["hostile"]
    # Nothing reached the loopback listener: the redirect into it was refused.
    assert not [p for h, p in hostile.log if h == PRIVATE]
    assert counts["refused"] >= 1

    base = hostile.base
    q = _quarantine(store)
    expect = {
        f"{base}/a/big": "limit response size",
        f"{base}/a/bomb": "limit response size",
        f"{base}/a/trickle": "limit download time",
        f"{base}/a/loop": "limit redirects",
        f"{base}/a/hops/0": "limit redirects",
        hostile.long_url(): "limit URL length",
        f"{base}/a/pdf": "not HTML",
    }
    for url, reason in expect.items():
        assert url in q, f"{url[:80]} not quarantined"
        assert str(q[url]["reason"]).startswith(reason), q[url]
    assert "redirect loop" in str(q[f"{base}/a/loop"]["reason"])
    assert "decompress past DOWNLOAD_MAXSIZE" in str(q[f"{base}/a/bomb"]["reason"])
    # Crawl cuts carry the same fields as processing's entries, and no raw capture.
    crawl_entry = q[f"{base}/a/trickle"]
    assert set(crawl_entry) == {"url", "site", "reason", "status", "content_type", "fetched_at",
                                "raw_ref"}
    assert crawl_entry["raw_ref"] is None and crawl_entry["site"] == "hostile"
    # The endless spaces stopped at the trap guard.
    traps = [e for e in q.values() if str(e["reason"]).startswith("trap")]
    assert any("endless URL space" in str(e["reason"]) for e in traps)
    assert any("repeated" in str(e["reason"]) for e in traps)
    assert any("session id" in str(e["reason"]) for e in traps)
    calendar = [p for h, p in hostile.log if p.startswith("/calendar/")]
    assert len(calendar) <= FAST["NEWSMILL_TRAP_MAX_PER_SHAPE"]
    # The summary counts crawl cuts with processing's quarantine, by reason.
    reasons = counts["quarantine_reasons"]
    assert reasons["limit response size"] == 2 and reasons["limit download time"] == 1
    assert counts["quarantined"] >= len(expect) + len(traps) - 1
    # The truncated sitemap was reported, and what preceded the damage was ingested.
    assert any("sitemap.xml" in e and "malformed XML" in e for e in counts["errors"])
    rows = []
    for path in store.glob("articles/site=hostile/date=*/*.parquet"):
        rows += pq.read_table(path).to_pylist()
    urls = {r["url"] for r in rows}
    for good in ("ok-1", "ok-2", "sm-1", "sm-2"):
        assert f"{base}/a/{good}" in urls
    # The lying charset page gave a record or a reasoned quarantine entry, not a crash.
    assert f"{base}/a/lying" in urls or f"{base}/a/lying" in q
    # No oversized body was archived: the bomb and the big page have no raw capture.
    raw = b"".join(p.read_bytes() for p in store.glob("raw/**/*.warc.gz"))
    assert len(raw) < 5 * 1024 * 1024
    # And the dump was published.
    assert list(store.glob("dumps/date=*/manifest.json"))


def test_site_on_localhost_gets_no_request(hostile: HostileServer, tmp_path: Path) -> None:
    """A site named by a DNS name that resolves to loopback, with no allow_private_networks
    entry for it: not a single request, robots.txt included."""
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"""\
allow_private_networks: ["{HOST}/32"]
sites:
  - name: local
    domains: [localhost]
    feeds: ["http://localhost:{hostile.port}/feed.xml"]
    start_urls: ["http://localhost:{hostile.port}/start/"]
""")
    before = len(hostile.log)
    result = run_crawl(str(sites), None, str(tmp_path / "store"), "local-1",
                       settings={"RETRY_TIMES": 0})
    stats = result.sites["local"]
    assert hostile.log[before:] == []
    assert stats.failed and stats.pages_fetched == 0 and stats.refused_private >= 2
    assert stats.failure is not None and "loopback" in stats.failure


def test_dns_rebinding_is_refused_at_connect(hostile: HostileServer, tmp_path: Path) -> None:
    """The name first resolves to an allowed address (the middleware's check passes), then to
    loopback: the connection must not go there. Only a resolver filtering what Twisted
    connects to can stop this; a check before the request cannot."""
    sites = tmp_path / "sites.yaml"
    with RebindingDNS(first=HOST, then=PRIVATE) as dns:
        sites.write_text(f"""\
allow_private_networks: ["{HOST}/32"]
defaults: {{obey_robots: false}}
sites:
  - name: rebind
    domains: [rebind.test]
    feeds: ["http://rebind.test:{hostile.port}/feed.xml"]
""")
        before = len(hostile.log)
        result = run_crawl(
            str(sites), None, str(tmp_path / "store"), "rebind-1",
            settings={
                S.DNS_SERVERS: [f"127.0.0.1:{dns.port}"],
                "DNSCACHE_ENABLED": False,  # every lookup asks the server again
                "RETRY_TIMES": 0,
            },
        )
        answers = list(dns.queries)
    stats = result.sites["rebind"]
    # The first answer passed the early check; the connection's lookup got loopback.
    assert answers[0] == ("rebind.test", HOST) and ("rebind.test", PRIVATE) in answers[1:]
    assert [p for h, p in hostile.log[before:] if h == PRIVATE] == []
    assert stats.pages_fetched == 0 and stats.failed


def test_corrupt_warc_keeps_what_came_before(tmp_path: Path) -> None:
    """A truncated raw WARC: the records before the damage become articles, the damage is
    quarantined with its reason, and the run goes on to the next file."""
    from hostile_server import article_html

    def warc(urls: list[str]) -> bytes:
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True, warc_version="1.1")
        from warcio.statusandheaders import StatusAndHeaders

        for url in urls:
            body = article_html(f"Story at {url}", len(url)).encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            rec = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"Newsmill-Site": "t", "Newsmill-Kind": "article",
                                   "Newsmill-Source": "feed"})
            writer.write_record(rec)
        return buf.getvalue()

    store = open_store(str(tmp_path / "store"))
    first = [f"https://t.example/news/{i}-story" for i in range(3)]
    whole = warc(first)
    one = len(warc(first[:2]))
    broken = raw_key("t", "2026-01-02", "r1", 1)
    store.put(broken, whole[: one + (len(whole) - one) // 2])  # cut inside the third record
    fine = raw_key("t", "2026-01-02", "r1", 2)
    store.put(fine, warc(["https://t.example/news/9-later"]))

    result = process_keys(store, [broken, fine], workers=1)

    counts = result.per_site["t"]
    assert counts.articles == 3  # two before the damage, one from the next file
    assert any(k.startswith("corrupt WARC") for k in counts.reasons)
    entries = [json.loads(line) for k in store.list("quarantine/")
               for line in store.get(k).decode().splitlines()]
    assert any(str(e["reason"]).startswith(f"corrupt WARC {broken}") for e in entries)


# --- the pure parts -------------------------------------------------------------------------------


def test_decoded_size_is_bounded() -> None:
    bomb = gzip_bomb()
    assert decoded_size_exceeds(bomb, ["gzip"], 1024 * 1024) is not None
    small = zlib.compress(b"x" * 1000)
    assert decoded_size_exceeds(small, ["deflate"], 10_000) is None
    assert decoded_size_exceeds(b"not compressed", ["br"], 10) is None  # left to Scrapy


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    "pack",
    [lambda b: gzip.compress(b, 9), lambda b: zlib.compress(b, 9), _raw_deflate],
    ids=["gzip", "zlib", "raw-deflate"],
)
def test_a_body_skipped_by_the_ratio_bound_cannot_pass_the_limit(
    pack: Callable[[bytes], bytes],
) -> None:
    # The guard does not inflate one layer whose size times MAX_DEFLATE_RATIO is within the
    # limit: the most compressible input there is (one byte repeated) must keep to that ratio.
    for size in (1 << 20, 8 << 20):
        body = pack(b"\0" * size)
        assert len(body) * MAX_DEFLATE_RATIO >= size
    # At the bound the answer is the same as inflating: within the limit.
    body = gzip.compress(b"\0" * (4 << 20), 9)
    limit = len(body) * MAX_DEFLATE_RATIO
    assert decoded_size_exceeds(body, ["gzip"], limit) is None
    assert len(gzip.decompress(body)) <= limit
    # A limit under the decoded size is under the bound too: inflated and caught as before.
    assert decoded_size_exceeds(body, ["gzip"], (4 << 20) - 1) is not None


@pytest.mark.parametrize(
    ("url", "page", "trapped"),
    [
        ("https://x.test/a/b/c/", True, False),
        ("https://x.test/a/more/more/more/", True, True),
        ("https://x.test/a/b/a/b/", True, True),
        ("https://x.test/news;jsessionid=ABC123/", False, False),
    ],
)
def test_trap_guard_paths(url: str, page: bool, trapped: bool) -> None:
    assert (TrapGuard().check(url, page) is not None) is trapped


def test_trap_guard_sessions_and_shapes() -> None:
    guard = TrapGuard(max_per_shape=3)
    assert guard.check("https://x.test/p?sid=0123456789abcdef0123", True) is None
    assert "session id" in str(guard.check("https://x.test/p?sid=fedcba98765432100000", True))
    assert guard.check("https://x.test/?s=harbour", True) is None  # a search, not a session
    for month in (1, 2, 3):
        assert guard.check(f"https://x.test/cal/2026/{month:02d}/", True) is None
    assert "endless" in str(guard.check("https://x.test/cal/2026/04/", True))
    # Articles share shapes: they are never counted.
    for day in range(10):
        assert guard.check(f"https://x.test/2026/01/{day:02d}/story-{day}", False) is None
    assert url_shape("https://x.test/cal/2031/07/?page=2") == "x.test/cal/#/#/?page"


def test_telnet_and_remote_control_are_off() -> None:
    base = S.base_settings(store_uri="/tmp/x", run_id="r")
    assert base["TELNETCONSOLE_ENABLED"] is False
    assert base["REMOTE_CONTROL_ENABLED"] is False
    assert base["TWISTED_DNS_RESOLVER"] == "newsmill.spiders.guards.resolver.GuardedResolver"
    for scheme in ("file", "s3", "ftp", "data"):
        assert base["DOWNLOAD_HANDLERS"][scheme] is None


def test_huge_sitemap_index_is_streamed_and_a_truncated_one_kept() -> None:
    from newsmill.spiders.discover.documents import parse_discovery

    n = 20_000
    items = "".join(
        f"<sitemap><loc>https://x.test/sitemap-{i}.xml</loc><lastmod>2026-01-01</lastmod>"
        "</sitemap>" for i in range(n)
    )
    body = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">{items}</sitemapindex>').encode()
    doc = parse_discovery(body, "https://x.test/sitemap_index.xml")
    assert doc.kind == "sitemapindex" and doc.error is None and len(doc.sitemaps) == n
    cut = parse_discovery(body[: len(body) // 2], "https://x.test/sitemap_index.xml")
    assert cut.error and "malformed XML" in cut.error
    assert n // 3 < len(cut.sitemaps) < n
    # A wrong declared encoding is an error with what could be read, never an exception.
    latin = '<?xml version="1.0" encoding="utf-8"?><urlset><url><loc>https://x.test/caf\xe9</loc>'
    odd = parse_discovery(latin.encode("latin-1") + b"</url></urlset>", "https://x.test/s.xml")
    assert odd.kind in ("urlset", "unknown")


def test_pages_per_site_and_depth_are_quarantined(hostile: HostileServer,
                                                  tmp_path: Path) -> None:
    capped = tmp_path / "capped.yaml"
    capped.write_text(hostile.sites_yaml().replace("max_depth: 50", "max_pages: 3"))
    shallow = tmp_path / "shallow.yaml"
    shallow.write_text(hostile.sites_yaml().replace("max_depth: 50", "max_depth: 1"))
    before = len(hostile.log)

    pages = run_crawl(str(capped), None, str(tmp_path / "s1"), "caps-1", settings=FAST)
    requested = [p for h, p in hostile.log[before:]
                 if p.startswith(("/a/", "/calendar/"))
                 and not p.startswith(("/a/hops/", "/a/loop-"))]  # redirect hops
    depth = run_crawl(str(shallow), None, str(tmp_path / "s2"), "depth-1", settings=FAST)

    stats = pages.sites["hostile"]
    assert len(set(requested)) <= 3
    assert stats.quarantine_reasons["limit pages per site"] >= 10
    assert depth.sites["hostile"].quarantine_reasons["limit link depth"] >= 1
    q = _quarantine(tmp_path / "s1")
    assert all(e["raw_ref"] is None for e in q.values())


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        ("domains: 5", "domains"),
        ("obey_robots: 'yes'", "obey_robots"),
        ("max_pages: '10'", "max_pages"),
        ("max_age_days: true", "max_age_days"),
        ("language: 5", "language"),
        ("feeds: ['file:///etc/passwd']", "feeds"),
        ("start_urls: ['ftp://x.test/']", "start_urls"),
    ],
)
def test_sites_file_wrong_types(bad: str, key: str) -> None:
    from newsmill.pipeline.sites import SitesFileError, parse_sites

    site = {"name": "x", "domains": ["x.test"], "feeds": ["https://x.test/feed"]}
    k, _, v = bad.partition(": ")
    import yaml

    site[k] = yaml.safe_load(v)
    with pytest.raises(SitesFileError) as info:
        parse_sites({"sites": [site]}, "sites.yaml")
    assert f"key {key!r}" in str(info.value)
    with pytest.raises(SitesFileError) as top:
        parse_sites({"allow_private_networks": "10.0.0.0/8", "sites": [site]}, "sites.yaml")
    assert "allow_private_networks" in str(top.value)
