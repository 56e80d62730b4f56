"""End to end, as an operator runs it: `newsmill run` against the demo sites into S3 on moto."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, run_cli

from newsmill.pipeline.publish.article import article_id

pytestmark = pytest.mark.timeout(600)


class Bucket:
    """Reads what newsmill wrote, with plain boto3, as a downstream team would."""

    def __init__(self, uri: str):
        rest = uri[len("s3://"):]
        self.bucket, _, self.prefix = rest.partition("/")
        self.s3 = boto3.client("s3")

    def keys(self, prefix: str = "") -> list[str]:
        full = f"{self.prefix}/{prefix}"
        out: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                      Prefix=full):
            out += [o["Key"][len(self.prefix) + 1:] for o in page.get("Contents", [])]
        return sorted(out)

    def get(self, key: str) -> bytes:
        return bytes(self.s3.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")["Body"]
                     .read())

    def snapshot(self, prefix: str) -> dict[str, str]:
        return {k: hashlib.sha256(self.get(k)).hexdigest() for k in self.keys(prefix)}


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def dump_rows(bucket: Bucket, day: str) -> list[dict[str, Any]]:
    prefix = f"dumps/date={day}/"
    manifest = json.loads(bucket.get(prefix + "manifest.json"))
    for f in manifest["files"]:
        data = bucket.get(f["key"])
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"]
    rows = pq.read_table(io.BytesIO(bucket.get(prefix + "articles.parquet"))).to_pylist()
    lines = gzip.decompress(bucket.get(prefix + "articles.jsonl.gz")).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]
    assert manifest["row_count"] == len(rows)
    return [json.loads(line) for line in lines]


def cli(store: str, *args: str) -> str:
    proc = run_cli(*args, "--store", store, "-q")
    assert proc.returncode == 0, f"{args}: {proc.stderr[-3000:]}"
    return proc.stdout


def check_record(row: dict[str, Any], expected: Any) -> None:
    assert row["title"] == expected.title
    assert row["authors"] == expected.authors
    assert row["published_at"] == expected.published_at
    assert row["language"] == expected.language
    text = row["text"]
    for para in expected.paragraphs:
        assert para in text, f"{expected.canonical_url}: missing paragraph {para[:60]!r}"
    for junk in expected.boilerplate:
        assert junk not in text, f"{expected.canonical_url}: boilerplate {junk[:60]!r}"
    assert "\n\n\n" not in text and not text.startswith(("\n", " "))


def test_run_publishes_every_demo_article_once_into_s3(demo: Any, demo_sites: Path,
                                                       s3_uri: str) -> None:
    bucket = Bucket(s3_uri)
    out = cli(s3_uri, "run", "--sites", str(demo_sites))
    assert "gazette" in out and "ledger" in out and "records" in out

    rows = dump_rows(bucket, today())
    schema = json.loads((ROOT / "schema" / "article.schema.json").read_text())
    for row in rows:
        jsonschema.validate(row, schema)
    by_url: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_url.setdefault(row["canonical_url"], []).append(row)

    expected = [a for a in demo.catalogue() if not a.archive and a.edition == 1]
    assert expected
    for exp in expected:
        assert len(by_url.get(exp.canonical_url, [])) == 1, exp.canonical_url
        row = by_url[exp.canonical_url][0]
        check_record(row, exp)
        assert row["site"] == exp.site and row["revision"] == 1
        if exp.syndicated_of:
            assert row["duplicate_of"] == article_id(exp.syndicated_of)
        else:
            assert row["duplicate_of"] is None
    assert set(by_url) == {e.canonical_url for e in expected}, "unexpected extra records"

    # Never requested: robots-disallowed and off-domain pages.
    assert not demo.requested("gazette", "/private/")
    assert not any(r.host == "127.0.0.4" for r in demo.requests)
    # The flaky page failed once, was retried, and its article is in the dump.
    flaky = demo.case_url("flaky")
    flaky_path = flaky.split("/", 3)[3]
    statuses = [r.status for r in demo.requests if r.path == "/" + flaky_path]
    assert statuses[:2] == [503, 200], statuses

    # The broken page and the non-HTML link are quarantined with their reasons.
    quarantined = [json.loads(line) for k in bucket.keys("quarantine/")
                   for line in bucket.get(k).decode().splitlines()]
    reasons = {q["url"]: q["reason"] for q in quarantined}
    assert "not HTML" in reasons[demo.case_url("non_html")]
    assert reasons[demo.case_url("broken")]
    assert len(bucket.keys("runs/")) == 1


def test_second_run_fetches_only_what_changed(demo: Any, demo_sites: Path, s3_uri: str) -> None:
    bucket = Bucket(s3_uri)
    cli(s3_uri, "run", "--sites", str(demo_sites))

    demo.set_edition(2)
    demo.reset()
    cli(s3_uri, "run", "--sites", str(demo_sites))
    catalogue = {e.canonical_url: e for e in demo.catalogue() if not e.archive}
    new = [e for e in catalogue.values() if e.edition == 2]
    assert len(new) == 2
    changed_url = demo.case_url("changed")
    unchanged = [e for e in catalogue.values() if e.edition == 1 and e.canonical_url != changed_url]

    rows = dump_rows(bucket, today())
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["revision"] >= latest.get(row["canonical_url"], {"revision": 0})["revision"]:
            latest[row["canonical_url"]] = row
    for exp in new:
        check_record(latest[exp.canonical_url], exp)
        assert latest[exp.canonical_url]["revision"] == 1
    revised = [r for r in rows if r["revision"] == 2]
    assert [r["canonical_url"] for r in revised] == [changed_url]
    check_record(revised[0], catalogue[changed_url])
    # Unchanged articles were not fetched again.
    fetched_paths = {r.path for r in demo.requests if r.status == 200}
    for exp in unchanged:
        path = "/" + exp.canonical_url.split("/", 3)[3]
        assert path not in fetched_paths, f"refetched unchanged {path}"
    assert len([r for r in rows if r["canonical_url"] in {e.canonical_url for e in unchanged}]) \
        == len(unchanged)

    # process and dump again change nothing.
    before = bucket.snapshot("")
    cli(s3_uri, "process")
    cli(s3_uri, "dump")
    after = bucket.snapshot("")
    changed_keys = {k for k in after if before.get(k) != after[k]}
    # Run reports and the processing lease (each holder writes its own generation) are the only
    # bookkeeping a run with nothing new may touch; published data and the indexes stay as they are.
    assert all(k.startswith(("runs/", "state/locks/")) for k in changed_keys), changed_keys


def test_backfill_sitemap_takes_exactly_the_range(demo: Any, demo_sites: Path,
                                                  tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    archive = sorted((e for e in demo.catalogue() if e.archive), key=lambda e: e.published_at)
    assert len(archive) >= 3
    first, last = archive[1].published_at[:10], archive[-2].published_at[:10]
    wanted = {e.canonical_url for e in archive if first <= e.published_at[:10] <= last}
    cli(store, "backfill", "--sites", str(demo_sites), "--site", "gazette",
        "--from", first, "--to", last)
    cli(store, "process")
    records = []
    for path in Path(store, "articles").rglob("*.parquet"):
        records += pq.read_table(path).to_pylist()
    assert {r["canonical_url"] for r in records} == wanted
    assert {r["source"] for r in records} == {"backfill-sitemap"}
    for r in records:
        exp = next(e for e in archive if e.canonical_url == r["canonical_url"])
        check_record(r, exp)


def test_bad_sites_file_fails_before_any_request(demo: Any, demo_sites: Path,
                                                 tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(demo_sites.read_text().replace("max_depth: 3", "max_depth: 3\n    bogus: 1"))
    assert bad.read_text() != demo_sites.read_text()
    proc = run_cli("run", "--sites", str(bad), "--store", str(tmp_path / "s"))
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr and "key 'bogus'" in proc.stderr
    assert demo.requests == []
