"""The crawler's guards, against real servers on loopback: what must never be requested."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from helpers_crawl import HopServer, all_raw_keys, captures

from newsmill.pipeline.demo.server import DemoServer
from newsmill.spiders.guards.network import NetworkGuardMiddleware
from newsmill.spiders.runner.crawl import run_crawl
from newsmill.storage import open_store


def test_private_network_refused_without_allow(demo_server: DemoServer, tmp_path: Path) -> None:
    sites = demo_server.write_sites_file(tmp_path / "sites.yaml")
    data = yaml.safe_load(sites.read_text())
    data["allow_private_networks"] = []
    sites.write_text(yaml.safe_dump(data))
    demo_server.reset()

    result = run_crawl(str(sites), None, str(tmp_path / "store"), "guard-1")

    assert demo_server.requests == []  # not even robots.txt
    assert set(result.sites) == {"gazette", "ledger"} and result.all_failed
    for stats in result.sites.values():
        assert stats.failed and stats.pages_fetched == 0 and stats.raw_keys == []
        assert stats.refused_private >= 1
        assert stats.failure is not None
        assert "loopback" in stats.failure and "allow_private_networks" in stats.failure


def test_offdomain_and_robots_never_requested(demo_server: DemoServer, tmp_path: Path) -> None:
    sites = demo_server.write_sites_file(tmp_path / "sites.yaml")
    demo_server.reset()

    result = run_crawl(str(sites), ["gazette"], str(tmp_path / "store"), "guard-2")

    gazette = result.sites["gazette"]
    assert not gazette.failed
    # The gazette links to a partner host and to a robots.txt-disallowed page.
    assert not demo_server.requested("elsewhere", "/")
    assert gazette.refused_offsite >= 1
    assert not demo_server.requested("gazette", "/private/")
    assert gazette.refused_robots >= 1
    assert demo_server.requested("gazette", "/robots.txt")


@pytest.fixture
def hop(demo_server: DemoServer) -> Iterator[HopServer]:
    server = HopServer(offsite_target=demo_server.base_url("elsewhere") + "/partner/story")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_redirects_are_guarded(demo_server: DemoServer, hop: HopServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(hop.sites_yaml())
    demo_server.reset()
    store = open_store(str(tmp_path / "store"))

    result = run_crawl(str(sites), None, store.uri, "guard-3")

    stats = result.sites["hop"]
    assert not stats.failed
    # A redirect off the site's domains is not followed...
    assert not demo_server.requested("elsewhere", "/")
    assert stats.refused_offsite == 1
    # ...nor one into a network the sites file does not allow, nor a name resolving into it.
    assert [p for h, p in hop.log if h == HopServer.PRIVATE] == []
    assert stats.refused_private == 2
    # (plus the site's TDM reservation file, asked for once like robots.txt)
    assert sorted(p for h, p in hop.log) == [
        "/.well-known/tdmrep.json", "/a/offsite", "/a/ok", "/a/private", "/feed.xml", "/robots.txt"
    ]
    # The redirects themselves were received, so they are archived.
    got = {(c.url.removeprefix(hop.base), c.status) for c in captures(store, stats.raw_keys)}
    assert {("/a/offsite", 301), ("/a/private", 301), ("/a/ok", 200)} <= got
    assert all_raw_keys(store, "hop") == stats.raw_keys


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-global"),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    guard = NetworkGuardMiddleware.__new__(NetworkGuardMiddleware)
    guard.allowed = []
    reason = guard.refusal(ipaddress.ip_address(address))
    if kind is None:
        assert reason is None
    else:
        assert reason is not None and f"a {kind} address" in reason


def test_allowed_networks() -> None:
    guard = NetworkGuardMiddleware.__new__(NetworkGuardMiddleware)
    guard.allowed = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("10.0.0.0/24")]
    assert guard.refusal(ipaddress.ip_address("127.0.0.2")) is None
    assert guard.refusal(ipaddress.ip_address("::ffff:127.0.0.2")) is None
    assert guard.refusal(ipaddress.ip_address("10.0.0.9")) is None
    assert guard.refusal(ipaddress.ip_address("10.0.1.9")) is not None
    assert guard.refusal(ipaddress.ip_address("169.254.169.254")) is not None


def test_oversized_response_is_an_error(hop: HopServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(hop.sites_yaml())

    result = run_crawl(str(sites), None, str(tmp_path / "store"), "guard-4",
                       settings={"DOWNLOAD_MAXSIZE": 100})

    stats = result.sites["hop"]
    # The feed is over 100 bytes: never fully downloaded, reported, and nothing else to do.
    assert stats.failed and stats.failure is not None
    assert "DOWNLOAD_MAXSIZE" in stats.failure
    assert any(e.startswith(f"{hop.base}/feed.xml: ") and "DOWNLOAD_MAXSIZE" in e
               for e in stats.errors)
