"""Is a speed change free? The record of every development page, before and after.

    .venv/bin/python bench/record_digests.py OUT.json            # write this checkout's records
    .venv/bin/python bench/record_digests.py --compare A.json B.json

Extracts every page of both development sets (all of each set, not a half: nothing is tuned
here) with a fixed fetch time, and writes each page's record as canonical JSON, or the reason
it gave none. `--compare` prints how many pages differ and, for the first few, which fields.
A refactoring or a speed-up that claims "same records" shows 0 here.
"""

from __future__ import annotations

import argparse
import gzip
import json
from dataclasses import asdict
from pathlib import Path

SETS = (Path("/work/shared/benchmarks/wcxb-dev-articles"),
        Path("/work/shared/benchmarks/trafilatura-eval"))
FETCHED_AT = "2026-01-01T00:00:00Z"


def records() -> dict[str, str]:
    from newsmill.pipeline.extract.load import NoArticle
    from newsmill.pipeline.extract.page import extract_article

    out: dict[str, str] = {}
    for data in SETS:
        for path in sorted((data / "html").glob("*.html*")):
            html = path.read_bytes()
            if path.suffix == ".gz":
                html = gzip.decompress(html)
            name = f"{data.name}/{path.name}"
            try:
                article = extract_article(html, url=f"http://127.0.0.1/{name}", site="bench",
                                          fetched_at=FETCHED_AT, source="sitemap",
                                          raw_ref="bench", content_type="text/html")
            except NoArticle as err:
                out[name] = f"no article: {err}"
                continue
            out[name] = json.dumps(asdict(article), sort_keys=True, ensure_ascii=False,
                                   default=str)
    return out


def compare(old_path: Path, new_path: Path, shown: int = 5) -> int:
    old = json.loads(old_path.read_text())
    new = json.loads(new_path.read_text())
    differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    print(f"{len(old)} pages before, {len(new)} after, {len(differ)} differ")
    for name in differ[:shown]:
        a, b = old.get(name, ""), new.get(name, "")
        if a.startswith("{") and b.startswith("{"):
            before, after = json.loads(a), json.loads(b)
            fields = sorted(f for f in before.keys() | after.keys()
                            if before.get(f) != after.get(f))
            print(f"  {name}: {', '.join(fields)}")
        else:
            print(f"  {name}: {a[:80]!r} -> {b[:80]!r}")
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
    found = records()
    args.out.write_text(json.dumps(found, sort_keys=True))
    print(f"{len(found)} pages -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
