"""Scores of one extractor over one set's pages (how each row is scored: extract_bench.py)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from extraction.datasets import Page
from extraction.extractors import Output
from extraction.reference import (
    TYPOGRAPHY,
    author_ok,
    days_apart,
    expected_people,
    fold,
    title_miss_reason,
)

Pair = tuple[int, int]


@dataclass
class Score:
    # Word-multiset scores against the reviewed main text; None when the set has none.
    precision: float | None
    recall: float | None
    f1: float | None
    low_f1: int | None
    empty: int
    snippet_precision: float
    snippet_recall: float
    snippet_f1: float
    with_found: Pair
    without_leaked: Pair
    title: Pair
    title_typo: Pair
    author: Pair
    author_contract: Pair
    date: Pair
    date_own: Pair
    date_either: Pair
    date_contract: Pair
    date_near: Pair
    misses: dict[str, Counter[str]] = field(default_factory=dict)


def _words(text: str) -> Counter[str]:
    return Counter(text.lower().split())


def body_scores(extracted: str, expected: str) -> tuple[float, float]:
    got, want = _words(extracted), _words(expected)
    shared = sum((got & want).values())
    precision = shared / sum(got.values()) if got else 0.0
    recall = shared / sum(want.values()) if want else 0.0
    return precision, recall


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _ratio(hit: int, total: int) -> float:
    return hit / total if total else 0.0


class _Tally:
    """Hit and total counters per row, and the reasons of newsmill's misses per field."""

    def __init__(self) -> None:
        self.hits = Counter[str]()
        self.totals = Counter[str]()
        self.misses: dict[str, Counter[str]] = {
            "title": Counter(),
            "author": Counter(),
            "date": Counter(),
        }

    def add(self, row: str, hit: bool) -> None:
        self.totals[row] += 1
        self.hits[row] += hit

    def pair(self, row: str) -> Pair:
        return self.hits[row], self.totals[row]


def _snippets(t: _Tally, page: Page, out: Output) -> None:
    text = fold(out.text)
    for snippet in page.truth.with_snippets:
        t.add("with", fold(snippet) in text)
    for snippet in page.truth.without_snippets:
        t.add("without", fold(snippet) in text)


def _title(t: _Tally, page: Page, meta: Output) -> None:
    want = page.truth.title
    if not want:
        return
    hit = fold(meta.title) == fold(want)
    typo = fold(meta.title).translate(TYPOGRAPHY).rstrip(".?! ") == fold(want).translate(
        TYPOGRAPHY
    ).rstrip(".?! ")
    t.add("title", hit)
    t.add("title_typo", typo)
    if not hit:
        t.misses["title"][title_miss_reason(meta.title, want, typo)] += 1


def _author(t: _Tally, page: Page, meta: Output) -> None:
    names = page.truth.authors
    if not names:
        return
    # An organisation named by the reference counts when the record credits it as one.
    credited = meta.authors + meta.organizations
    hit = all(author_ok(credited, name) for name in names)
    t.add("author", hit)
    people = expected_people(page.truth.author, page.url)
    if hit:
        t.add("author_contract", True)
        return
    if people is None:
        t.add("author_contract", False)
        reason = "missed: no author found" if not meta.authors else "wrong: another name"
    elif not people:
        ok = not meta.authors
        t.add("author_contract", ok)
        reason = "contract: reference is an organisation/team/site/handle" + (
            "" if ok else " (and we named a person)"
        )
    else:
        ok = all(author_ok(meta.authors, person) for person in people)
        t.add("author_contract", ok)
        reason = "contract: reference has credentials/roles or several names" + (
            "" if ok else " (and we missed one)"
        )
    t.misses["author"][reason] += 1


def _date(t: _Tally, page: Page, meta: Output, own: str) -> None:
    want = page.truth.date
    if not want:
        return
    hit = meta.date == want
    t.add("date", hit)
    t.add("date_own", own == want)
    t.add("date_either", hit or own == want)
    t.add("date_near", days_apart(meta.date, want) <= 1)
    contract = hit or own == want or bool(meta.modified == want and meta.date)
    t.add("date_contract", contract)
    if hit:
        return
    if own == want:
        reason = "UTC day differs, page's own day agrees"
    elif meta.modified == want and meta.date:
        reason = "contract: reference is the modified date"
    elif not meta.date:
        reason = "missed: no date found"
    elif days_apart(own, want) <= 1:
        reason = "wrong: one day off"
    else:
        reason = "wrong: another date"
    t.misses["date"][reason] += 1


def score(
    pages: list[Page],
    texts: list[Output],
    metas: list[Output],
    own_day: Callable[[Page, Output], str] | None = None,
) -> Score:
    """Scores of `texts` (body) and `metas` (title, author, date) against the references;
    `own_day` gives the day a date has in the page's own offset (default: the date's day)."""
    t = _Tally()
    ps: list[float] = []
    rs: list[float] = []
    low = empty = 0
    for page, out, meta in zip(pages, texts, metas, strict=True):
        if page.truth.main_content is not None:
            p, r = body_scores(out.text, page.truth.main_content)
            ps.append(p)
            rs.append(r)
            low += f1(p, r) < 0.5
        empty += not out.text.strip()
        _snippets(t, page, out)
        _title(t, page, meta)
        _author(t, page, meta)
        _date(t, page, meta, own_day(page, meta) if own_day else meta.date)
    mp = statistics.fmean(ps) if ps else None
    mr = statistics.fmean(rs) if rs else None
    # Snippets pooled over the set, as trafilatura's evaluation counts them: a 'with' snippet
    # found is a true positive, one missed a false negative, a 'without' found a false positive.
    tp, n_with = t.pair("with")
    fp, _ = t.pair("without")
    sp, sr = _ratio(tp, tp + fp), _ratio(tp, n_with)
    return Score(
        precision=mp,
        recall=mr,
        f1=f1(mp, mr) if mp is not None and mr is not None else None,
        low_f1=low if ps else None,
        empty=empty,
        snippet_precision=sp,
        snippet_recall=sr,
        snippet_f1=f1(sp, sr),
        with_found=t.pair("with"),
        without_leaked=t.pair("without"),
        title=t.pair("title"),
        title_typo=t.pair("title_typo"),
        author=t.pair("author"),
        author_contract=t.pair("author_contract"),
        date=t.pair("date"),
        date_own=t.pair("date_own"),
        date_either=t.pair("date_either"),
        date_contract=t.pair("date_contract"),
        date_near=t.pair("date_near"),
        misses=t.misses,
    )
