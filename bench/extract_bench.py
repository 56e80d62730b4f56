"""Extraction benchmark: newsmill's extractor against bare `trafilatura.extract()`, one run.

    .venv/bin/python bench/extract_bench.py [--limit N] [--data PATH] [--workers N]

Data: a WCXB-style folder (`html/NNNN.html.gz` + `ground-truth/NNNN.json`), by default
/work/shared/benchmarks/wcxb-dev-articles. Scoring follows that folder's README:

- body: lower-cased whitespace-split word multisets; precision = shared / extracted,
  recall = shared / expected per page; mean P and mean R over pages, F1 of the two means;
  pages with per-page F1 < 0.5; empty extractions (a page we refuse counts as empty)
- title: exact match after NFC, whitespace folding and case folding
- author: every word of the expected name appears in one extracted author name
- date: same calendar day as `publish_date`; also shown within one day, because newsmill
  reports UTC and the reference dates are the page's local calendar day

The baseline is `trafilatura.extract(html)` with default settings for the body and speed, and
`trafilatura.extract_metadata(html)` for title/author/date (default `extract()` returns text
only). Also reported: the share of the ground truth's `with` snippets found in the text and of
its `without` snippets (boilerplate) that leaked into it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("/work/shared/benchmarks/wcxb-dev-articles")


@dataclass
class Page:
    ident: str
    url: str
    html: bytes
    truth: dict[str, Any]


@dataclass
class Output:
    text: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""
    error: str = ""


def load_pages(data: Path, limit: int | None) -> list[Page]:
    truth_files = sorted((data / "ground-truth").glob("*.json"))
    if limit:
        truth_files = truth_files[:limit]
    pages = []
    for tf in truth_files:
        html_path = data / "html" / f"{tf.stem}.html.gz"
        if not html_path.exists():
            continue
        doc = json.loads(tf.read_text(encoding="utf-8"))
        pages.append(
            Page(
                tf.stem,
                doc.get("url") or "",
                gzip.decompress(html_path.read_bytes()),
                doc.get("ground_truth") or {},
            )
        )
    return pages


# ---------------------------------------------------------------------------------------------
# the two extractors (module-level so worker processes can run them)

FETCHED_AT = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_ours(html: bytes, url: str) -> Output:
    from pipeline.extract import NoArticle, extract_article
    from pipeline.urls import host_of

    try:
        art = extract_article(
            html,
            url=url,
            site=host_of(url) or "bench",
            fetched_at=FETCHED_AT,
            source="link",
            raw_ref="bench",
        )
    except NoArticle as exc:
        return Output(error=exc.reason)
    return Output(art.text, art.title, art.authors, (art.published_at or "")[:10])


def run_baseline_text(html: bytes, url: str) -> Output:
    import trafilatura

    return Output(text=trafilatura.extract(html) or "")


def run_baseline_meta(html: bytes, url: str) -> Output:
    from trafilatura import extract_metadata

    meta = extract_metadata(html, default_url=url)
    authors = [a.strip() for a in (meta.author or "").split(";") if a.strip()]
    return Output(title=meta.title or "", authors=authors, date=(meta.date or "")[:10])


def _ours_job(args: tuple[bytes, str]) -> Output:
    return run_ours(*args)


# ---------------------------------------------------------------------------------------------
# scoring


def _words(text: str) -> Counter[str]:
    return Counter(text.lower().split())


def body_scores(extracted: str, expected: str) -> tuple[float, float]:
    got, want = _words(extracted), _words(expected)
    shared = sum((got & want).values())
    precision = shared / sum(got.values()) if got else 0.0
    recall = shared / sum(want.values()) if want else 0.0
    return precision, recall


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _name_words(name: str) -> set[str]:
    return {w.strip(".,;:()\"'").casefold() for w in name.split()} - {""}


def author_ok(authors: list[str], expected: str) -> bool:
    want = _name_words(expected)
    return bool(want) and any(want <= _name_words(a) for a in authors)


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
    except ValueError:
        return 1_000_000


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    low_f1: int
    empty: int
    title: tuple[int, int]
    author: tuple[int, int]
    date: tuple[int, int]
    date_near: tuple[int, int]
    with_found: tuple[int, int]
    without_leaked: tuple[int, int]


def score(pages: list[Page], texts: list[Output], metas: list[Output]) -> Score:
    ps, rs = [], []
    low = empty = 0
    title = [0, 0]
    author = [0, 0]
    same_day = [0, 0]
    date_near = [0, 0]
    with_found = [0, 0]
    leaked = [0, 0]
    for page, out, meta in zip(pages, texts, metas, strict=True):
        truth = page.truth
        p, r = body_scores(out.text, truth.get("main_content") or "")
        ps.append(p)
        rs.append(r)
        low += _f1(p, r) < 0.5
        empty += not out.text.strip()
        folded_text = _fold(out.text)
        for snippet in truth.get("with") or []:
            with_found[1] += 1
            with_found[0] += _fold(snippet) in folded_text
        for snippet in truth.get("without") or []:
            leaked[1] += 1
            leaked[0] += _fold(snippet) in folded_text
        if truth.get("title"):
            title[1] += 1
            title[0] += _fold(meta.title) == _fold(truth["title"])
        if truth.get("author"):
            author[1] += 1
            author[0] += author_ok(meta.authors, truth["author"])
        if truth.get("publish_date"):
            same_day[1] += 1
            same_day[0] += meta.date == str(truth["publish_date"])[:10]
            date_near[1] += 1
            date_near[0] += _days_apart(meta.date, str(truth["publish_date"])[:10]) <= 1
    mp, mr = statistics.fmean(ps), statistics.fmean(rs)
    return Score(
        mp,
        mr,
        _f1(mp, mr),
        low,
        empty,
        (title[0], title[1]),
        (author[0], author[1]),
        (same_day[0], same_day[1]),
        (date_near[0], date_near[1]),
        (with_found[0], with_found[1]),
        (leaked[0], leaked[1]),
    )


# ---------------------------------------------------------------------------------------------
# timing


def timed(fn: Callable[[bytes, str], Output], pages: Iterable[Page]) -> tuple[list[Output], float]:
    start = time.perf_counter()
    outs = [fn(p.html, p.url) for p in pages]
    return outs, time.perf_counter() - start


def timed_pool(pages: list[Page], workers: int) -> tuple[list[Output], float]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Warm every worker first: imports and the language model load are a one-off cost, not
        # throughput.
        list(pool.map(_ours_job, [(pages[0].html, pages[0].url)] * workers))
        start = time.perf_counter()
        outs = list(pool.map(_ours_job, ((p.html, p.url) for p in pages), chunksize=4))
        return outs, time.perf_counter() - start


def _pct(pair: tuple[int, int]) -> str:
    hit, total = pair
    return f"{hit / total:.3f} ({hit}/{total})" if total else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    if not (args.data / "ground-truth").is_dir():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    pages = load_pages(args.data, args.limit)
    if not pages:
        print(f"no pages in {args.data}", file=sys.stderr)
        return 2

    # Warm both extractors (imports, lazy models) so timings compare steady states.
    for p in pages[:3]:
        run_ours(p.html, p.url)
        run_baseline_text(p.html, p.url)
        run_baseline_meta(p.html, p.url)

    ours, t_ours = timed(run_ours, pages)
    base_text, t_base = timed(run_baseline_text, pages)
    base_meta, t_base_meta = timed(run_baseline_meta, pages)
    pooled, t_pool = timed_pool(pages, args.workers)
    if [o.text for o in pooled] != [o.text for o in ours]:
        print("warning: pooled and single-core outputs differ", file=sys.stderr)

    n = len(pages)
    s_ours = score(pages, ours, ours)
    s_base = score(pages, base_text, base_meta)
    rows = [
        ("pages/s, one core", f"{n / t_ours:.1f}", f"{n / t_base:.1f}"),
        ("ms/page, one core", f"{1000 * t_ours / n:.1f}", f"{1000 * t_base / n:.1f}"),
        (f"pages/s, pool of {args.workers}", f"{n / t_pool:.1f}", "-"),
        ("body precision (mean)", f"{s_ours.precision:.3f}", f"{s_base.precision:.3f}"),
        ("body recall (mean)", f"{s_ours.recall:.3f}", f"{s_base.recall:.3f}"),
        ("body F1 (of means)", f"{s_ours.f1:.3f}", f"{s_base.f1:.3f}"),
        ("pages with F1 < 0.5", str(s_ours.low_f1), str(s_base.low_f1)),
        ("empty extractions", str(s_ours.empty), str(s_base.empty)),
        ("'with' snippets found", _pct(s_ours.with_found), _pct(s_base.with_found)),
        ("'without' snippets leaked", _pct(s_ours.without_leaked), _pct(s_base.without_leaked)),
        ("title exact match", _pct(s_ours.title), _pct(s_base.title)),
        ("author agreement", _pct(s_ours.author), _pct(s_base.author)),
        ("date agreement (same day)", _pct(s_ours.date), _pct(s_base.date)),
        ("date within one day", _pct(s_ours.date_near), _pct(s_base.date_near)),
    ]
    print(f"{n} pages from {args.data}")
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'newsmill':>20}  {'trafilatura defaults':>20}")
    for label, a, b in rows:
        print(f"{label:{width}}  {a:>20}  {b:>20}")
    print(
        f"(baseline metadata via trafilatura.extract_metadata: "
        f"{1000 * t_base_meta / n:.1f} ms/page extra, not in the baseline speed)"
    )
    refused = Counter(o.error.split(" (")[0] for o in ours if o.error)
    if refused:
        print("refused by newsmill: " + ", ".join(f"{k}: {v}" for k, v in refused.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
