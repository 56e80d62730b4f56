"""The quality gate: extraction metrics on the project's labelled pages, against pinned floors.

Pages: tests/fixtures/quality/*.html (written for the project: original text in the markup of
common CMSs) and a few of tests/fixtures/pages/, labelled in tests/fixtures/quality/labels.json
with the expected title, authors, published day (UTC), and snippets the text must and must not
contain. Floors: tests/quality_floor.json. The rules (how to raise a floor, how a floor may be
lowered) are in docs/quality.md.

    .venv/bin/python tests/test_quality.py            # print the metrics and the floors
    .venv/bin/python tests/test_quality.py --record   # raise the floors to today's metrics
"""

from __future__ import annotations

import json
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from floors import floors, previous_version, unexplained_lowering

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
LABELS = FIXTURES / "quality" / "labels.json"
FLOOR_FILE = HERE / "quality_floor.json"
REPO = HERE.parent
# A fixed fetch time keeps the "not after the fetch" date check deterministic.
FETCHED_AT = "2026-01-01T00:00:00Z"
METRICS = (
    "pages_extracted",
    "title",
    "authors",
    "date",
    "must_contain",
    "must_not_contain_clean",
)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _labels() -> dict[str, dict[str, Any]]:
    labels: dict[str, dict[str, Any]] = json.loads(LABELS.read_text(encoding="utf-8"))
    return labels


def _page_path(name: str, label: dict[str, Any]) -> Path:
    return FIXTURES / label.get("file", f"quality/{name}.html")


@cache
def _records() -> tuple[tuple[str, dict[str, Any], dict[str, Any]], ...]:
    """(name, label, what `newsmill extract` prints) for every labelled page."""
    from newsmill.pipeline.extract.saved import SavedPage, extract_saved

    out = []
    for name, label in sorted(_labels().items()):
        page = SavedPage(
            input=name,
            body=_page_path(name, label).read_bytes(),
            url=label["url"],
            fetched_at=FETCHED_AT,
        )
        out.append((name, label, extract_saved(page)))
    return tuple(out)


def _authors_ok(record: dict[str, Any], label: dict[str, Any]) -> bool:
    return [_fold(a) for a in record["authors"]] == [_fold(a) for a in label["authors"]]


def measure() -> dict[str, float]:
    """Every metric over the labelled pages (fractions, 1.0 = all good)."""
    hits = dict.fromkeys(METRICS, 0)
    totals = dict.fromkeys(METRICS, 0)
    for _, label, record in _records():
        ok = "error" not in record
        text = _fold(record.get("text") or "")
        for metric, hit in (
            ("pages_extracted", ok),
            ("title", ok and _fold(record["title"]) == _fold(label["title"])),
            ("authors", ok and _authors_ok(record, label)),
            ("date", ok and (record["published_at"] or "")[:10] == (label["date"] or "")),
        ):
            totals[metric] += 1
            hits[metric] += bool(hit)
        for snippet in label["must_contain"]:
            totals["must_contain"] += 1
            hits["must_contain"] += _fold(snippet) in text
        for snippet in label["must_not_contain"]:
            totals["must_not_contain_clean"] += 1
            hits["must_not_contain_clean"] += ok and _fold(snippet) not in text
    return {m: round(hits[m] / totals[m], 4) if totals[m] else 1.0 for m in METRICS}


def misses() -> list[str]:
    """One line per failed expectation, for the person whose change lowered a metric."""
    out = []
    for name, label, record in _records():
        if "error" in record:
            out.append(f"{name}: no record ({record['error']})")
            continue
        if _fold(record["title"]) != _fold(label["title"]):
            out.append(f"{name}: title {record['title']!r} != {label['title']!r}")
        if not _authors_ok(record, label):
            out.append(f"{name}: authors {record['authors']} != {label['authors']}")
        if (record["published_at"] or "")[:10] != (label["date"] or ""):
            out.append(f"{name}: date {record['published_at']} != {label['date']}")
        text = _fold(record["text"])
        out += [f"{name}: missing {s!r}" for s in label["must_contain"] if _fold(s) not in text]
        out += [f"{name}: leaked {s!r}" for s in label["must_not_contain"] if _fold(s) in text]
    return out


# ---------------------------------------------------------------------------------------------


def test_labels_cover_fifteen_or_more_pages_and_every_file_exists() -> None:
    labels = _labels()
    assert len(labels) >= 15
    for name, label in labels.items():
        assert _page_path(name, label).is_file(), name
        assert {"url", "title", "authors", "date", "must_contain", "must_not_contain"} <= set(label)


def test_every_metric_is_at_or_above_its_floor() -> None:
    pinned = floors(json.loads(FLOOR_FILE.read_text(encoding="utf-8")))
    assert set(pinned) == set(METRICS), "tests/quality_floor.json must pin every metric"
    metrics = measure()
    below = {m: (metrics[m], pinned[m]) for m in METRICS if metrics[m] < pinned[m]}
    assert not below, f"metric below its floor (metric, floor): {below}; misses:\n" + "\n".join(
        misses()
    )


def test_no_floor_is_lowered_without_saying_so() -> None:
    doc = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))
    previous = previous_version(FLOOR_FILE)
    if previous is None:
        pytest.skip("no earlier version of tests/quality_floor.json in git to compare with")
    problems = unexplained_lowering(doc, previous)
    assert not problems, "\n".join(problems)


def main(argv: list[str]) -> int:
    metrics = measure()
    doc = json.loads(FLOOR_FILE.read_text(encoding="utf-8")) if FLOOR_FILE.exists() else {}
    pinned = floors(doc)
    for m in METRICS:
        print(f"{m:<24} {metrics[m]:.4f}   floor {pinned.get(m, float('nan')):.4f}")
    for line in misses():
        print("  " + line)
    if "--record" in argv:
        # Ratchet only: a floor never goes down through this command.
        doc["floors"] = {m: max(metrics[m], pinned.get(m, 0.0)) for m in METRICS}
        doc["measured"] = metrics
        doc.setdefault("lowered", {})
        FLOOR_FILE.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(f"floors written to {FLOOR_FILE}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main(sys.argv[1:]))
