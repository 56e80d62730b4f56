"""Is a speed change free? The record of every development page, before and after.

    .venv/bin/python bench/record_digests.py OUT.json            # write this checkout's records
    .venv/bin/python bench/record_digests.py --compare A.json B.json

Extracts every page of both development sets (both halves: nothing is tuned here) as
`newsmill extract` does, with a fixed fetch time, and writes what it prints for each page as
canonical JSON. `--compare` prints how many pages differ and, for the first few, which fields.
A refactoring or a speed-up that claims "same records" shows 0 here. Runs on other checkouts
too (the bench's `extraction.project` finds the functions where each keeps them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# The helpers live next to this script; bench/ is not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction.datasets import Page, load_set  # noqa: E402
from extraction.project import symbol  # noqa: E402

SETS = (Path("/work/shared/benchmarks/wcxb-dev-articles"),
        Path("/work/shared/benchmarks/trafilatura-eval"))
FETCHED_AT = "2026-01-01T00:00:00Z"


def dev_pages(every: int = 1) -> list[Page]:
    """Every `every`-th page of each development set, both halves."""
    return [page for data in SETS for page in load_set(data, "all").pages[::every]]


def record_of(page: Page) -> str:
    """What `newsmill extract` prints for the page, as canonical JSON."""
    saved = symbol("SavedPage")(input="bench", body=page.html, url=page.url or None,
                                fetched_at=FETCHED_AT)
    return json.dumps(symbol("extract_saved")(saved), sort_keys=True, ensure_ascii=False)


def compare(old_path: Path, new_path: Path, shown: int = 5) -> int:
    old = json.loads(old_path.read_text())
    new = json.loads(new_path.read_text())
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    print(f"{len(old)} pages before, {len(new)} after, {len(differ)} differ")
    for name in differ[:shown]:
        before, after = json.loads(old.get(name, "{}")), json.loads(new.get(name, "{}"))
        fields = sorted(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
        print(f"  {name}: {', '.join(fields)}")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", help="where to write the records")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give OUT or --compare BEFORE AFTER")
    found = {f"{page.url} {page.ident}": record_of(page) for page in dev_pages()}
    args.out.write_text(json.dumps(found, sort_keys=True))
    print(f"{len(found)} pages -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
