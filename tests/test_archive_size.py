"""The archive's decoded-size cut against a real crawl: a bomb in layers is cut like a plain one,
before anything is archived (issue 12, defect 8)."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_crawl import all_raw_keys, captures
from hostile_server import FAST, LayeredBombServer, layered_bomb

from newsmill.spiders.guards.decoded_size import decoded_size_exceeds
from newsmill.spiders.runner.crawl import run_crawl
from newsmill.storage import open_store

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def site() -> Iterator[LayeredBombServer]:
    with LayeredBombServer() as server:
        yield server


def test_a_deflate_layer_inside_gzip_is_cut_before_it_is_archived(
    site: LayeredBombServer, tmp_path: Path
) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(site.sites_yaml().replace(
        f'start_urls: ["{site.base}/start/"]', "start_urls: []"))
    store = tmp_path / "store"
    run_crawl(str(sites), None, str(store), "layered-1", settings=FAST)

    bomb = f"{site.base}/a/layered-bomb"
    assert site.requested("/a/layered-bomb")
    entries = [json.loads(line) for path in store.glob("quarantine/date=*/*.jsonl")
               for line in path.read_text().splitlines()]
    cut = [e for e in entries if e["url"] == bomb]
    assert cut, entries
    assert str(cut[0]["reason"]).startswith("limit response size")
    assert "deflate+gzip" in str(cut[0]["reason"]) and "decompress past" in str(cut[0]["reason"])
    # Nothing of it in the archive, while the good article next to it is there.
    opened = open_store(str(store))
    archived = {c.url for c in captures(opened, all_raw_keys(opened, "hostile"))}
    assert bomb not in archived
    assert f"{site.base}/a/ok-1" in archived


@pytest.mark.parametrize(
    ("body", "encodings"),
    [
        (layered_bomb(), ["deflate", "gzip"]),
        (zlib.compress(gzip.compress(b"\0" * (8 << 20))), ["gzip", "deflate"]),
        # a small first gzip member, the bomb in the second: Scrapy inflates both
        (gzip.compress(b"hi") + gzip.compress(b"\0" * (8 << 20)), ["gzip"]),
    ],
    ids=["deflate-in-gzip", "gzip-in-deflate", "second-gzip-member"],
)
def test_every_layer_and_member_is_counted(body: bytes, encodings: list[str]) -> None:
    assert decoded_size_exceeds(body, encodings, 1 << 20) is not None
    assert decoded_size_exceeds(zlib.compress(b"x" * 1000), ["deflate"], 10_000) is None
