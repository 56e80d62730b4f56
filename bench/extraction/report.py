"""The printed table of one set and half: newsmill and bare trafilatura side by side."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from extraction.datasets import DataSet
from extraction.extractors import Output
from extraction.page_facts import reachable
from extraction.reference import expected_people
from extraction.scoring import Pair, Score


@dataclass
class Timings:
    """Seconds spent on all pages; `pool` is None when the pooled run was skipped."""

    ours: float
    base_text: float
    base_meta: float
    workers: int
    pool: float | None = None


def _pct(pair: Pair) -> str:
    hit, total = pair
    return f"{hit / total:.3f} ({hit}/{total})" if total else "n/a"


def _num(value: float | int | None, fmt: str = ".3f") -> str:
    return "n/a" if value is None else format(value, fmt)


def _speed_rows(n: int, t: Timings) -> list[tuple[str, str, str]]:
    full = t.base_text + t.base_meta
    rows = [
        ("pages/s, one core (text + metadata)", f"{n / t.ours:.1f}", f"{n / full:.1f}"),
        (
            "ms/page, one core (text + metadata)",
            f"{1000 * t.ours / n:.1f}",
            f"{1000 * full / n:.1f}",
        ),
        ("ms/page, one core, trafilatura text only", "-", f"{1000 * t.base_text / n:.1f}"),
        (
            "time ratio newsmill / trafilatura",
            f"{t.ours / full:.2f}x",
            f"{t.ours / t.base_text:.2f}x text only",
        ),
    ]
    if t.pool is not None:
        rows.append((f"pages/s, pool of {t.workers}", f"{n / t.pool:.1f}", "-"))
    return rows


def _quality_rows(a: Score, b: Score) -> list[tuple[str, str, str]]:
    return [
        ("body precision (mean)", _num(a.precision), _num(b.precision)),
        ("body recall (mean)", _num(a.recall), _num(b.recall)),
        ("body F1 (of means)", _num(a.f1), _num(b.f1)),
        ("pages with F1 < 0.5", _num(a.low_f1, "d"), _num(b.low_f1, "d")),
        ("body F1, snippets (P / R pooled)", _num(a.snippet_f1), _num(b.snippet_f1)),
        (
            "  snippet precision / recall",
            f"{a.snippet_precision:.3f} / {a.snippet_recall:.3f}",
            f"{b.snippet_precision:.3f} / {b.snippet_recall:.3f}",
        ),
        ("empty extractions", str(a.empty), str(b.empty)),
        ("'with' snippets found", _pct(a.with_found), _pct(b.with_found)),
        ("'without' snippets leaked", _pct(a.without_leaked), _pct(b.without_leaked)),
        ("title exact match", _pct(a.title), _pct(b.title)),
        ("  typography folded", _pct(a.title_typo), _pct(b.title_typo)),
        ("author agreement (people or organisations)", _pct(a.author), _pct(b.author)),
        ("  contract-scored", _pct(a.author_contract), _pct(b.author_contract)),
        ("date agreement (same day, UTC)", _pct(a.date), _pct(b.date)),
        ("  page's own day", _pct(a.date_own), _pct(b.date_own)),
        ("  UTC or page's own day", _pct(a.date_either), _pct(b.date_either)),
        ("  own day, contract-scored", _pct(a.date_contract), _pct(b.date_contract)),
        ("date within one day", _pct(a.date_near), _pct(b.date_near)),
    ]


def _ceilings(data: DataSet) -> str:
    reach = [reachable(p) for p in data.pages]
    titles = [t for t, _ in reach if t is not None]
    dates = [d for _, d in reach if d is not None]
    people = [expected_people(p.truth.author, p.url) != [] for p in data.pages if p.truth.authors]
    return (
        "ceilings from the page itself: "
        f"title is one of its title signals {_pct((sum(titles), len(titles)))}, "
        f"date day is stated in it {_pct((sum(dates), len(dates)))}, "
        f"author reference is a person {_pct((sum(people), len(people)))}"
    )


def print_report(
    data: DataSet,
    half: str,
    ours: list[Output],
    scores: tuple[Score, Score],
    timings: Timings,
    misses: bool,
) -> None:
    n = len(data.pages)
    rows = _speed_rows(n, timings) + _quality_rows(*scores)
    print(f"\n{data.name}: {n} pages, half {half}, from {data.path}")
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'newsmill extract':>20}  {'bare trafilatura':>20}")
    for label, a, b in rows:
        print(f"{label:{width}}  {a:>20}  {b:>20}")
    print(_ceilings(data))
    print(
        "(trafilatura: extract() for text, extract_metadata() for title/author/date; "
        "baseline dates are htmldate's, already in the page's own day)"
    )
    refused = Counter(o.error.split(" (")[0] for o in ours if o.error)
    if refused:
        print("refused by newsmill: " + ", ".join(f"{k}: {v}" for k, v in refused.most_common()))
    if misses:
        print("\nnewsmill misses by reason")
        for fld, reasons in scores[0].misses.items():
            for reason, count in reasons.most_common():
                print(f"  {fld:<7} {count:>4}  {reason}")
