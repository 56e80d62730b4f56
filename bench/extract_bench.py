"""Extraction benchmark: `newsmill extract` against bare trafilatura, same run, same pages.

    .venv/bin/python bench/extract_bench.py [--data PATH | --all-sets] [--half tune|held|all]
        [--limit N] [--workers N] [--misses] [--times DIR]

Data (`--data`, default /work/shared/benchmarks/wcxb-dev-articles): a WCXB-style folder
(`html/NNNN.html.gz` + `ground-truth/NNNN.json`) or trafilatura's evaluation corpus
(`html/*.html.gz` + `labels.json`, /work/shared/benchmarks/trafilatura-eval). `--all-sets` runs
both development sets and prints one table per set. newsmill is scored on what `newsmill
extract` prints (`extract_saved`, the record the CLI emits for a saved page with `--url`).

Halves (`--half`, default held): a page's half is fixed by its URL: the first byte of
sha256(URL as UTF-8) even is `tune`, odd is `held`. Rules are tuned on `tune` only; reported
figures are `held`; `all` is both. `--limit N` keeps the first N pages of the chosen half.

Scoring, per set and half:

- body, against the reviewed main text (WCXB only): lower-cased whitespace-split word
  multisets; precision = shared / extracted, recall = shared / expected per page; mean P and
  mean R over pages, F1 of the two means; pages with per-page F1 < 0.5
- body, against the snippets (both sets; the only body score of trafilatura-eval, as
  trafilatura's own evaluation counts it): over all pages, a `with` snippet found in the text
  is a true positive, one missing a false negative, a `without` snippet (boilerplate) found a
  false positive; F1 of that precision and recall. Also shown: the share of `with` snippets
  found and of `without` snippets leaked. Text comparisons fold NFC, whitespace and case.
- empty extractions (a page newsmill refuses counts as empty)
- title: exact match after NFC, whitespace folding and case folding
- author: every word of each expected name appears in one extracted name; a reference that
  names an organisation counts when the record credits it in `organizations` (when the
  checkout has that field). A list of reference authors needs all of them.
- date: same calendar day as the reference; rows for the UTC day, the page's own day, and
  either of the two.

Explained rows sit under the raw ones, never replacing them:

- "page's own day": the record is UTC (contract), the references give the publisher's local
  day; this compares the record's `published_local` day when it has one, else the day the
  winning date value states in its own offset.
- "contract-scored": where the reference disagrees with the record contract, the contract's
  answer counts. Authors: an organisation, team, site or user-handle "author" expects no
  person; "Jane Doe, MD, RD" or "A, B and C" expects the person names. Dates: a reference
  that is the page's *modified* date while the page states a different published date counts
  the published date. `--misses` prints the reason of every miss by category.

The baseline is `trafilatura.extract(html)` with default settings for the body, and
`trafilatura.extract_metadata(html)` for title/author/date (default `extract()` returns text
only). Speed is shown against both: text only, and text + metadata (the same fields as ours);
`--workers 0` skips the pooled run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# The helpers live next to this script; bench/ is not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction.datasets import HALVES, Page, is_data_set, load_set  # noqa: E402
from extraction.extractors import (  # noqa: E402
    Output,
    run_baseline_meta,
    run_baseline_text,
    run_ours,
)
from extraction.page_facts import own_day  # noqa: E402
from extraction.report import Timings, print_report  # noqa: E402
from extraction.scoring import score  # noqa: E402
from extraction.timing import Extractor, timed_pool, timed_side_by_side, warm  # noqa: E402

BENCHMARKS = Path("/work/shared/benchmarks")
DEFAULT_DATA = BENCHMARKS / "wcxb-dev-articles"
ALL_SETS = (DEFAULT_DATA, BENCHMARKS / "trafilatura-eval")


def bench_set(data: Path, args: argparse.Namespace) -> int:
    dataset = load_set(data, args.half, args.limit)
    if not dataset.pages:
        print(f"no pages in {data} (half {args.half})", file=sys.stderr)
        return 2
    pages = dataset.pages
    extractors: list[Extractor] = [run_ours, run_baseline_text, run_baseline_meta]
    warm(extractors, pages)
    per_page: list[list[float]] = []
    (ours, base_text, base_meta), (t_ours, t_text, t_meta) = timed_side_by_side(
        extractors, pages, per_page)
    if args.times:
        _save_times(args.times, data, pages, ours, per_page)
    timings = Timings(t_ours, t_text, t_meta, workers=args.workers)
    if args.workers > 0:
        pooled, timings.pool = timed_pool(pages, args.workers)
        if [o.text for o in pooled] != [o.text for o in ours]:
            print("warning: pooled and single-core outputs differ", file=sys.stderr)
    scores = (score(pages, ours, ours, own_day), score(pages, base_text, base_meta))
    print_report(dataset, args.half, ours, scores, timings, args.misses)
    return 0


def _save_times(folder: Path, data: Path, pages: list[Page], ours: list[Output],
                per_page: list[list[float]]) -> None:
    """One JSON line per page: its URL, whether newsmill gave text, and the seconds of
    newsmill and of trafilatura's text + metadata, the speed table's reference
    (bench/compare_times.py pairs two runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{data.name}.jsonl", "w", encoding="utf-8") as fh:
        for page, out, (t_ours, t_text, t_meta) in zip(pages, ours, per_page, strict=True):
            fh.write(json.dumps({"url": page.url, "text": bool(out.text.strip()),
                                 "ours": t_ours, "trafilatura": t_text + t_meta}) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sets = parser.add_mutually_exclusive_group()
    sets.add_argument("--data", type=Path, default=DEFAULT_DATA, help="one set's folder")
    sets.add_argument("--all-sets", action="store_true", help="both development sets")
    parser.add_argument("--half", choices=HALVES, default="held", help="see the docstring")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of the half")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="0: no pool")
    parser.add_argument("--misses", action="store_true", help="print newsmill's misses by reason")
    parser.add_argument("--times", type=Path, default=None,
                        help="folder to write each page's seconds to (<set>.jsonl)")
    args = parser.parse_args(argv)

    folders = list(ALL_SETS) if args.all_sets else [args.data]
    missing = [str(f) for f in folders if not is_data_set(f)]
    if missing:
        print(f"no benchmark data at {', '.join(missing)}", file=sys.stderr)
        return 2
    status = 0
    for folder in folders:
        status = max(status, bench_set(folder, args))
    return status


if __name__ == "__main__":
    sys.exit(main())
