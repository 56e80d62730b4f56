"""Shared by the archive backfill tests: the demo sites for a module, and reading results."""

from __future__ import annotations

import io
import urllib.request
from typing import Any

import pyarrow.parquet as pq
import pytest

from newsmill.pipeline.demo.server import DemoServer
from newsmill.storage import open_store


@pytest.fixture(autouse=True)
def _one_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # A handful of pages: a process pool would cost more than it saves.
    monkeypatch.setenv("NEWSMILL_WORKERS", "1")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return bytes(resp.read())


def article_rows(store_uri: str) -> list[dict[str, Any]]:
    store = open_store(store_uri)
    rows: list[dict[str, Any]] = []
    for key in store.list("articles/"):
        rows += pq.read_table(io.BytesIO(store.get(key))).to_pylist()
    return rows


def in_range_archive(demo: DemoServer, first: str, last: str) -> set[str]:
    """Canonical URLs of the demo archive stories published in [first, last]."""
    return {a.canonical_url for a in demo.catalogue()
            if a.archive and first <= a.published_at[:10] <= last}
