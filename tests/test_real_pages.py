"""The quality gate on real pages: 60 WCXB development pages (CC-BY-4.0, see
tests/fixtures/wcxb/README.md) with their reviewed answers, scored as the benchmark scores
them, against floors pinned in tests/real_pages_floor.json.

The project's own fixtures (tests/test_quality.py) can be made to pass by rules written for
them; these pages were written by publishers, so a change that helps the fixtures and hurts
real pages fails here. The pages come from the benchmark's *tune* half only.

    .venv/bin/python tests/test_real_pages.py            # print the metrics and the floors
    .venv/bin/python tests/test_real_pages.py --record   # ratchet the floors to today's metrics
"""

from __future__ import annotations

import gzip
import json
import sys
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from floors import floors, previous_version, unexplained_lowering

HERE = Path(__file__).parent
PAGES = HERE / "fixtures" / "wcxb"
FLOOR_FILE = HERE / "real_pages_floor.json"
FETCHED_AT = "2026-12-01T00:00:00Z"
# "max_empty" is a ceiling: the number of pages that give no record, or a record without text.
METRICS = ("body_f1", "title", "author", "date", "max_empty")


def _fold(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def _name_words(name: str) -> set[str]:
    return {w.strip(".,;:()\"'").casefold() for w in name.split()} - {""}


def _words(text: str) -> Counter[str]:
    return Counter(text.lower().split())


@cache
def _truth() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(
        gzip.decompress((PAGES / "ground-truth.json.gz").read_bytes())
    )
    return data


@cache
def _records() -> tuple[tuple[str, dict[str, Any], dict[str, Any]], ...]:
    """(page id, its answers, what `newsmill extract` prints for it) for every page."""
    from newsmill.pipeline.extract.saved import SavedPage, extract_saved

    out = []
    for ident, truth in sorted(_truth().items()):
        body = gzip.decompress((PAGES / "html" / f"{ident}.html.gz").read_bytes())
        page = SavedPage(input=ident, body=body, url=truth["url"], fetched_at=FETCHED_AT)
        out.append((ident, truth, extract_saved(page)))
    return tuple(out)


def _author_ok(record: dict[str, Any], expected: str) -> bool:
    credited = list(record.get("authors") or []) + list(record.get("organizations") or [])
    want = _name_words(expected)
    return bool(want) and any(want <= _name_words(name) for name in credited)


def _date_ok(record: dict[str, Any], expected: str) -> bool:
    days = {(record.get("published_at") or "")[:10], (record.get("published_local") or "")[:10]}
    return expected[:10] in days


FIELDS = ("title", "author", "date")


def _field_ok(metric: str, record: dict[str, Any], expected: str) -> bool:
    if metric == "title":
        return _fold(record.get("title")) == _fold(expected)
    if metric == "author":
        return _author_ok(record, expected)
    return _date_ok(record, expected)


def measure() -> tuple[dict[str, float], list[str]]:
    """(metrics, one line per miss)."""
    precision: list[float] = []
    recall: list[float] = []
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misses: list[str] = []
    empty = 0
    for ident, truth, record in _records():
        text = "" if "error" in record else record.get("text") or ""
        if not text:
            empty += 1
            misses.append(f"{ident}: no text ({record.get('error', 'empty')})")
        got, want = _words(text), _words(truth.get("main_content") or "")
        shared = sum((got & want).values())
        precision.append(shared / sum(got.values()) if got else 0.0)
        recall.append(shared / sum(want.values()) if want else 0.0)
        got_fields = {
            "title": record.get("title"),
            "author": (record.get("authors"), record.get("organizations")),
            "date": (record.get("published_at"), record.get("published_local")),
        }
        for metric, key in (("title", "title"), ("author", "author"), ("date", "publish_date")):
            want_value = truth.get(key)
            if not want_value:
                continue
            totals[metric] += 1
            if _field_ok(metric, record, want_value):
                hits[metric] += 1
            else:
                misses.append(f"{ident}: {metric} {got_fields[metric]!r} != {want_value!r}")
    p = sum(precision) / len(precision)
    r = sum(recall) / len(recall)
    metrics = {
        "body_f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
        **{m: round(hits[m] / totals[m], 4) if totals[m] else 1.0 for m in FIELDS},
        "max_empty": float(empty),
    }
    return metrics, misses


def _below(metrics: dict[str, float], pinned: dict[str, float]) -> dict[str, tuple[float, float]]:
    return {
        m: (metrics[m], pinned[m])
        for m in METRICS
        if (metrics[m] > pinned[m] if m.startswith("max_") else metrics[m] < pinned[m])
    }


# ---------------------------------------------------------------------------------------------


def test_sixty_real_pages_with_their_answers_and_licence() -> None:
    assert len(_truth()) >= 60
    assert (PAGES / "LICENSE").is_file() and "CC-BY-4.0" in (PAGES / "LICENSE").read_text()
    for ident in _truth():
        assert (PAGES / "html" / f"{ident}.html.gz").is_file(), ident


def test_every_metric_is_at_or_above_its_floor() -> None:
    pinned = floors(json.loads(FLOOR_FILE.read_text(encoding="utf-8")))
    assert set(pinned) == set(METRICS), "tests/real_pages_floor.json must pin every metric"
    metrics, misses = measure()
    below = _below(metrics, pinned)
    assert not below, f"metric past its floor (metric, floor): {below}; misses:\n" + "\n".join(
        misses
    )


def test_no_floor_is_lowered_without_saying_so() -> None:
    doc = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))
    # The commit that adds the file has nothing to lower: every floor in it is new.
    previous = previous_version(FLOOR_FILE) or {}
    problems = unexplained_lowering(doc, previous)
    assert not problems, "\n".join(problems)


def main(argv: list[str]) -> int:
    metrics, misses = measure()
    doc = json.loads(FLOOR_FILE.read_text(encoding="utf-8")) if FLOOR_FILE.exists() else {}
    pinned = floors(doc)
    for m in METRICS:
        print(f"{m:<12} {metrics[m]:.4f}   floor {pinned.get(m, float('nan')):.4f}")
    for line in misses:
        print("  " + line)
    if "--record" in argv:
        # Ratchet only: a floor never gets worse through this command.
        doc["floors"] = {
            m: (min if m.startswith("max_") else max)(metrics[m], pinned.get(m, metrics[m]))
            for m in METRICS
        }
        doc["measured"] = metrics
        doc.setdefault("lowered", {})
        FLOOR_FILE.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(f"floors written to {FLOOR_FILE}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main(sys.argv[1:]))
