"""Both store backends behave the same: local folder and S3 (real moto_server over HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmill.storage import KeyNotFound, StoreError, open_store, publish


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "local":
        return open_store(str(tmp_path / "store"))
    return open_store(request.getfixturevalue("s3_uri"))


def test_put_get_list_exists_delete(store) -> None:
    store.check()
    store.put("a/b/one.json", b"1")
    store.put("a/b/two.json", b"2")
    store.put("a/c.txt", b"3")
    assert store.get("a/b/one.json") == b"1"
    assert list(store.list("a/b/")) == ["a/b/one.json", "a/b/two.json"]
    assert list(store.list()) == ["a/b/one.json", "a/b/two.json", "a/c.txt"]
    assert store.exists("a/c.txt") and not store.exists("a/missing")
    store.put("a/c.txt", b"overwritten")
    assert store.get("a/c.txt") == b"overwritten"
    assert list(store.list("a/")).count("a/c.txt") == 1
    store.delete("a/c.txt")
    assert not store.exists("a/c.txt")
    with pytest.raises(KeyNotFound):
        store.get("a/c.txt")


def test_put_if_absent_is_conditional(store) -> None:
    assert store.put_if_absent("locks/x", b"first") is True
    assert store.put_if_absent("locks/x", b"second") is False
    assert store.get("locks/x") == b"first"


def test_put_if_match_swaps_only_the_version_that_was_read(store) -> None:
    assert store.put_if_match("locks/y", b"one", None) is not None
    assert store.put_if_match("locks/y", b"again", None) is None  # already there
    data, v1 = store.get_versioned("locks/y")
    assert data == b"one"
    v2 = store.put_if_match("locks/y", b"two", v1)
    assert v2 is not None and v2 != v1
    # A second writer still holding the first version loses, and changes nothing.
    assert store.put_if_match("locks/y", b"late", v1) is None
    assert store.get_versioned("locks/y") == (b"two", v2)
    assert store.put_if_match("locks/absent", b"x", v2) is None
    assert not store.exists("locks/absent")
    with pytest.raises(KeyNotFound):
        store.get_versioned("locks/absent")


def test_of_many_concurrent_swaps_on_one_version_exactly_one_wins(store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store.put("locks/z", b"start")
    _, version = store.get_versioned("locks/z")
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: store.put_if_match("locks/z", b"w%d" % i, version),
                            range(8)))
    winners = [i for i, v in enumerate(won) if v is not None]
    assert len(winners) == 1
    assert store.get("locks/z") == b"w%d" % winners[0]


def test_files_round_trip(store, tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(b"x" * 3_000_000)
    store.put_file("raw/big.bin", str(src))
    dst = tmp_path / "back.bin"
    store.get_file("raw/big.bin", str(dst))
    assert dst.read_bytes() == src.read_bytes()


def test_publish_writes_commit_last(store) -> None:
    publish(store, [("d/a.parquet", b"A"), ("d/b.jsonl.gz", b"B")],
            ("d/manifest.json", json.dumps({"files": 2}).encode()))
    assert list(store.list("d/")) == ["d/a.parquet", "d/b.jsonl.gz", "d/manifest.json"]


def test_local_store_accepts_file_uri(tmp_path: Path) -> None:
    s = open_store((tmp_path / "x").as_uri())
    s.put("k", b"v")
    assert (tmp_path / "x" / "k").read_bytes() == b"v"


def test_local_store_refuses_escaping_keys(tmp_path: Path) -> None:
    s = open_store(str(tmp_path))
    with pytest.raises(StoreError):
        s.put("../outside", b"v")


def test_missing_bucket_is_a_clear_error(s3_env: str) -> None:
    s = open_store("s3://no-such-bucket-here/x")
    with pytest.raises(StoreError, match="no-such-bucket-here"):
        s.check()


def test_unreachable_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import S3_ENV, free_port

    for k, v in S3_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    s = open_store("s3://bucket/x")
    with pytest.raises(StoreError, match="unreachable|not usable"):
        s.check()


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(StoreError, match="unsupported"):
        open_store("ftp://host/x")
