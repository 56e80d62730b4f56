"""Per-page speed of two checkouts, on the pages both turn into text.

    python bench/compare_times.py NEW_DIR OLD_DIR

Each folder holds what `extract_bench.py --workers 0 --times DIR` wrote in one checkout (run
the two at the same time, one core each). A page's cost is newsmill's seconds over
trafilatura's (text + metadata, as in the bench's speed table) in the same process, so a
change in the machine's load weighs on both sides alike. A
checkout that refuses a page early is cheap on it; comparing only pages both extract keeps
"faster" from meaning "gives up more often". All pages are shown too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _load(path: Path) -> dict[str, dict[str, float]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {r["url"]: r for r in rows}


def _ratio(rows: list[dict[str, float]]) -> tuple[float, float]:
    ours = sum(r["ours"] for r in rows)
    bare = sum(r["trafilatura"] for r in rows)
    return ours / bare, 1000 * ours / max(len(rows), 1)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    new_dir, old_dir = Path(argv[0]), Path(argv[1])
    for new_file in sorted(new_dir.glob("*.jsonl")):
        old_file = old_dir / new_file.name
        if not old_file.exists():
            continue
        new, old = _load(new_file), _load(old_file)
        urls = [u for u in new if u in old]
        both = [u for u in urls if new[u]["text"] and old[u]["text"]]
        print(f"{new_file.stem}: {len(urls)} pages, {len(both)} extracted by both")
        for label, chosen in (("all pages", urls), ("extracted by both", both)):
            (r_new, ms_new), (r_old, ms_old) = (_ratio([new[u] for u in chosen]),
                                                _ratio([old[u] for u in chosen]))
            print(f"  {label:18} new {r_new:.3f}x ({ms_new:.1f} ms)  "
                  f"old {r_old:.3f}x ({ms_old:.1f} ms)  new/old {r_new / r_old:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
