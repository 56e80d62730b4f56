"""A refused redirect loses the page it came from: the crawl quarantine says which and why
(issue 12, defect 8a). Against the real redirecting loopback site of the guard tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_crawl import HopServer

from newsmill.spiders.runner.crawl import run_crawl


@pytest.fixture
def hop() -> Iterator[HopServer]:
    # The off-site target is never contacted: the domain guard refuses it by name.
    server = HopServer(offsite_target="http://elsewhere.test/partner/story")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_refused_redirects_are_quarantined(hop: HopServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(hop.sites_yaml())
    store = tmp_path / "store"

    result = run_crawl(str(sites), None, str(store), "redirect-q1")

    stats = result.sites["hop"]
    assert not stats.failed
    assert [p for h, p in hop.log if h == HopServer.PRIVATE] == []
    cuts = {}
    for path in store.glob("quarantine/date=*/*-crawl-hop.jsonl"):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            cuts[entry["url"]] = entry
    # The article whose redirect led into a loopback address, under the URL that was asked
    # for, with where it led and why that was refused.
    private = cuts[f"{hop.base}/a/private"]
    secret = f"http://{HopServer.PRIVATE}:{hop.port}/a/secret"
    assert private["reason"] == (
        f"refused redirect: to {secret}: {HopServer.PRIVATE} is a loopback address, "
        "not in allow_private_networks"
    )
    assert private["status"] == 301 and private["site"] == "hop" and private["raw_ref"] is None
    offsite = cuts[f"{hop.base}/a/offsite"]
    assert str(offsite["reason"]).startswith("refused redirect: to http://elsewhere.test/")
    # A name resolving to loopback, named directly by the feed, is a refusal, not a lost page.
    assert f"http://localhost:{hop.port}/a/dns" not in cuts
    assert stats.quarantine_reasons == {"refused redirect": 2}
    assert stats.refused_private == 2 and stats.refused_offsite == 1
