"""Extraction benchmark: `newsmill extract` against bare trafilatura, same run, same pages.

    .venv/bin/python bench/extract_bench.py [--limit N] [--data PATH] [--workers N] [--misses]

Data: a WCXB-style folder (`html/NNNN.html.gz` + `ground-truth/NNNN.json`), by default
/work/shared/benchmarks/wcxb-dev-articles. newsmill is scored on what `newsmill extract` prints
(`pipeline.extract.saved.extract_saved`, the record the CLI emits for a saved page with `--url`).
Scoring follows that folder's README:

- body: lower-cased whitespace-split word multisets; precision = shared / extracted,
  recall = shared / expected per page; mean P and mean R over pages, F1 of the two means;
  pages with per-page F1 < 0.5; empty extractions (a page we refuse counts as empty)
- title: exact match after NFC, whitespace folding and case folding
- author: every word of the expected name appears in one extracted author name
- date: same calendar day as `publish_date`

Two more rows per field are explained figures, never replacements for the raw ones:

- "date, page's own day": the record is UTC (contract), the reference gives the publisher's
  local day; this compares the day the winning date value states in its own offset.
- "..., contract-scored": where the reference disagrees with the record contract, the
  contract's answer counts. Authors: an organisation, team, site or user-handle "author"
  expects no person; "Jane Doe, MD, RD" or "A, B and C" expects the person names. Dates: a
  reference that is the page's *modified* date while the page states a different published
  date counts the published date. `--misses` prints the reason of every miss by category.

The baseline is `trafilatura.extract(html)` with default settings for the body, and
`trafilatura.extract_metadata(html)` for title/author/date (default `extract()` returns text
only). Speed is shown against both: text only, and text + metadata (the same fields as ours).
Also reported: the share of the ground truth's `with` snippets found in the text and of its
`without` snippets (boilerplate) that leaked into it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
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
    modified: str = ""
    published_at: str = ""


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
    """What `newsmill extract PAGE --url URL` prints for the page, as an Output."""
    from newsmill.pipeline.extract.saved import SavedPage, extract_saved

    record = extract_saved(
        SavedPage(input="bench", body=html, url=url or None, fetched_at=FETCHED_AT)
    )
    if "error" in record:
        return Output(error=record["error"])
    return Output(
        record["text"],
        record["title"],
        list(record["authors"]),
        (record["published_at"] or "")[:10],
        modified=(record["modified_at"] or "")[:10],
        published_at=record["published_at"] or "",
    )


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


# --- reading the reference under the record contract (bench-side, independent of pipeline) ---

_TYPO = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})
# Words that make a reference "author" a group or an organisation rather than a person.
_GROUP_WORDS = frozenset(
    re.findall(
        r"\S+",
        """team staff editors editorial desk newsroom board contributors contributor marketing
        agency inc llc ltd co company group store online blog media news digital studio services
        solutions bank clinic foundation university college institute center centre association
        construction dental security global""",
    )
)
_CREDENTIAL_WORDS = frozenset(
    re.findall(
        r"\S+",
        """md ms rd mba phd ph.d ph.d. dvm vmd cpa cfp cfa rn lvt vts ba bs msc bsc jd esq dds
        do facp fand dabom foma faclm dacvb cepf® cepf cpp psp e-ryt smt""",
    )
)
_HONORIFICS = {"dr", "dr.", "prof", "prof.", "sir", "mr", "mr.", "mrs", "mrs.", "ms.", "dame"}
_ROLE_HINTS = {
    "expert",
    "writer",
    "editor",
    "director",
    "ceo",
    "founder",
    "dietitian",
    "representative",
    "educator",
    "horticulturalist",
    "of",
    "-",
    "|",
}


def _squashed(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _host_keys(url: str) -> set[str]:
    host = (url.split("://", 1)[-1].split("/", 1)[0]).lower().removeprefix("www.")
    labels = [x for x in host.split(".") if x]
    return {_squashed(host), *(_squashed(x) for x in labels[:-1] if len(x) > 2)}


def expected_people(expected: str, url: str) -> list[str] | None:
    """The person names a contract-following record should carry for a reference author
    string: [] for an organisation / team / site / handle, the individual names for a list
    or a name with credentials; None when the reference is already one plain name."""
    text = expected.strip()
    words = text.split()
    folded = [w.casefold().strip(".,()") for w in words]
    if _squashed(text) in _host_keys(url) or any(
        k and k in _squashed(text) for k in _host_keys(url) if len(k) > 4
    ):
        return []
    if any(w in _GROUP_WORDS for w in folded):
        return []
    if " " not in text and (
        text.islower()
        or any(c in text for c in "._@0123456789")
        or any(c.isupper() for c in text[1:])
    ):
        return []
    parts = re.split(r"\s*(?:,|;|&|\band\b|\|)\s*", text)
    people = []
    for part in parts:
        pw = [w for w in part.split() if w.casefold() not in _HONORIFICS]
        if not pw or all(w.casefold().strip(".,()") in _CREDENTIAL_WORDS for w in pw):
            continue
        if any(w.casefold() in _ROLE_HINTS for w in pw) or (
            len(pw) == 1 and len(parts) > 1 and pw[0].isupper()
        ):
            continue
        people.append(" ".join(pw))
    if people == [text]:
        return None
    return people


def _own_day(page: Page, out: Output) -> str:
    """The day our published date states in its own offset (see the module docstring)."""
    if not out.published_at:
        return ""
    from newsmill.pipeline.extract.normalise import normalise_date, written_day
    from newsmill.pipeline.extract.page import load_page, url_date

    try:
        meta = load_page(page.html).meta
    except Exception:  # noqa: BLE001 - a page we cannot parse keeps its UTC day
        return out.date
    raws = [c.value for c in meta.published]
    raws.append(url_date(page.url) or "")
    for raw in raws:
        if raw and normalise_date(raw, fetched_at=FETCHED_AT) == out.published_at:
            return written_day(raw) or out.date
    return out.date


# --- what any extractor could reach from the page (bench-side ceilings) -----------------------


def _spellings_of_day(day: date) -> list[str]:
    fmts = [
        "%Y-%m-%d",
        "%B %-d, %Y",
        "%b %-d, %Y",
        "%b. %-d, %Y",
        "%-d %B %Y",
        "%-d %b %Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d.%m.%Y",
        "%Y/%m/%d",
        "%d/%m/%Y",
        "%m/%d/%Y",
        "%-m/%-d/%Y",
        "%-d/%-m/%Y",
        "%Y%m%d",
    ]
    return [day.strftime(f) for f in fmts]


def reachable(page: Page) -> tuple[bool | None, bool | None]:
    """(title, date): whether the reference is among what the page itself states. The title
    counts when it equals, after the benchmark's folding, one of the page's title signals
    (<title>, og/twitter/meta titles, JSON-LD headline, an <h1>) as written or without the
    site name; the date when its day is the day of one of the page's date values or is
    printed anywhere in the HTML in a common spelling. No extractor that picks from the
    page can score above these shares; the rest of the references were edited or looked up
    by the annotators."""
    from newsmill.pipeline.extract.normalise import clean_title, written_day
    from newsmill.pipeline.extract.page import load_page, url_date
    from newsmill.pipeline.extract.typography import plain_typography

    try:
        meta = load_page(page.html).meta
    except Exception:  # noqa: BLE001 - an unparseable page reaches nothing
        return (False if page.truth.get("title") else None), (
            False if page.truth.get("publish_date") else None
        )
    title_ok: bool | None = None
    if page.truth.get("title"):
        want = _fold(page.truth["title"])
        names = [c.value for c in meta.site_names]
        values = [c.value for c in meta.titles] + list(meta.headlines)
        spellings = {_fold(v) for v in values}
        spellings |= {_fold(clean_title(v, names)) for v in values}
        spellings |= {_fold(plain_typography(clean_title(v, names))) for v in values}
        title_ok = want in spellings
    date_ok: bool | None = None
    if page.truth.get("publish_date"):
        want_day = str(page.truth["publish_date"])[:10]
        days = {written_day(c.value) for c in [*meta.published, *meta.modified]}
        days.add(url_date(page.url))
        date_ok = want_day in days
        if not date_ok:
            try:
                wanted = date.fromisoformat(want_day)
            except ValueError:
                wanted = None
            if wanted is not None:
                html = page.html.decode("utf-8", "replace").casefold()
                date_ok = any(s.casefold() in html for s in _spellings_of_day(wanted))
    return title_ok, date_ok


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    low_f1: int
    empty: int
    title: tuple[int, int]
    title_typo: tuple[int, int]
    author: tuple[int, int]
    author_contract: tuple[int, int]
    date: tuple[int, int]
    date_own: tuple[int, int]
    date_contract: tuple[int, int]
    date_near: tuple[int, int]
    with_found: tuple[int, int]
    without_leaked: tuple[int, int]
    misses: dict[str, Counter[str]] = field(default_factory=dict)


def score(pages: list[Page], texts: list[Output], metas: list[Output], ours: bool = False) -> Score:
    ps, rs = [], []
    low = empty = 0
    t = Counter[str]()
    misses: dict[str, Counter[str]] = {"title": Counter(), "author": Counter(), "date": Counter()}
    for page, out, meta in zip(pages, texts, metas, strict=True):
        truth = page.truth
        p, r = body_scores(out.text, truth.get("main_content") or "")
        ps.append(p)
        rs.append(r)
        low += _f1(p, r) < 0.5
        empty += not out.text.strip()
        folded_text = _fold(out.text)
        for snippet in truth.get("with") or []:
            t["with_n"] += 1
            t["with"] += _fold(snippet) in folded_text
        for snippet in truth.get("without") or []:
            t["without_n"] += 1
            t["without"] += _fold(snippet) in folded_text
        if truth.get("title"):
            t["title_n"] += 1
            hit = _fold(meta.title) == _fold(truth["title"])
            typo = _fold(meta.title).translate(_TYPO).rstrip(".?! ") == _fold(
                truth["title"]
            ).translate(_TYPO).rstrip(".?! ")
            t["title"] += hit
            t["title_typo"] += typo
            if not hit:
                misses["title"][_title_reason(meta.title, truth["title"], typo)] += 1
        if truth.get("author"):
            t["author_n"] += 1
            hit = author_ok(meta.authors, truth["author"])
            t["author"] += hit
            people = expected_people(truth["author"], page.url)
            if hit:
                t["author_contract"] += 1
            elif people is None:
                misses["author"][
                    "missed: no author found" if not meta.authors else "wrong: another name"
                ] += 1
            elif not people:
                ok = not meta.authors
                t["author_contract"] += ok
                misses["author"][
                    "contract: reference is an organisation/team/site/handle"
                    + ("" if ok else " (and we named a person)")
                ] += 1
            else:
                ok = all(author_ok(meta.authors, person) for person in people)
                t["author_contract"] += ok
                misses["author"][
                    "contract: reference has credentials/roles or several names"
                    + ("" if ok else " (and we missed one)")
                ] += 1
        if truth.get("publish_date"):
            want = str(truth["publish_date"])[:10]
            t["date_n"] += 1
            hit = meta.date == want
            own = _own_day(page, meta) if ours else meta.date
            t["date"] += hit
            t["date_own"] += own == want
            t["date_near"] += _days_apart(meta.date, want) <= 1
            if hit or own == want:
                t["date_contract"] += 1
                if not hit:
                    misses["date"]["UTC day differs, page's own day agrees"] += 1
            elif meta.modified == want and meta.date:
                t["date_contract"] += 1
                misses["date"]["contract: reference is the modified date"] += 1
            elif not meta.date:
                misses["date"]["missed: no date found"] += 1
            elif _days_apart(own, want) <= 1:
                misses["date"]["wrong: one day off"] += 1
            else:
                misses["date"]["wrong: another date"] += 1
    mp, mr = statistics.fmean(ps), statistics.fmean(rs)

    def pair(name: str) -> tuple[int, int]:
        return t[name], t[name.split("_")[0] + "_n"]

    return Score(
        mp,
        mr,
        _f1(mp, mr),
        low,
        empty,
        pair("title"),
        pair("title_typo"),
        pair("author"),
        pair("author_contract"),
        pair("date"),
        pair("date_own"),
        pair("date_contract"),
        pair("date_near"),
        pair("with"),
        pair("without"),
        misses,
    )


def _title_reason(got: str, want: str, typo: bool) -> str:
    if typo:
        return "typography only (quotes, dashes, final stop)"
    if not got:
        return "missed: no title"
    g, w = _fold(got).translate(_TYPO), _fold(want).translate(_TYPO)
    if w in g:
        return "ours is longer (suffix/prefix kept)"
    if g in w:
        return "ours is shorter (cut or different h1)"
    return "different wording (SEO title vs headline)"


# ---------------------------------------------------------------------------------------------
# timing


def timed_side_by_side(
    fns: list[Callable[[bytes, str], Output]], pages: Iterable[Page]
) -> tuple[list[list[Output]], list[float]]:
    """Run every extractor on each page in turn, timing each call: a load change on the
    machine (other jobs, thermal throttling) then weighs on all of them alike, which running
    one extractor over all pages and then the next would not."""
    outs: list[list[Output]] = [[] for _ in fns]
    spent = [0.0 for _ in fns]
    for page in pages:
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            outs[i].append(fn(page.html, page.url))
            spent[i] += time.perf_counter() - start
    return outs, spent


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
    parser.add_argument("--misses", action="store_true", help="print newsmill's misses by reason")
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

    (ours, base_text, base_meta), (t_ours, t_base, t_base_meta) = timed_side_by_side(
        [run_ours, run_baseline_text, run_baseline_meta], pages
    )
    pooled, t_pool = timed_pool(pages, args.workers)
    if [o.text for o in pooled] != [o.text for o in ours]:
        print("warning: pooled and single-core outputs differ", file=sys.stderr)

    n = len(pages)
    s_ours = score(pages, ours, ours, ours=True)
    s_base = score(pages, base_text, base_meta)
    t_full = t_base + t_base_meta
    rows = [
        ("pages/s, one core (text + metadata)", f"{n / t_ours:.1f}", f"{n / t_full:.1f}"),
        (
            "ms/page, one core (text + metadata)",
            f"{1000 * t_ours / n:.1f}",
            f"{1000 * t_full / n:.1f}",
        ),
        ("ms/page, one core, trafilatura text only", "-", f"{1000 * t_base / n:.1f}"),
        (
            "time ratio newsmill / trafilatura",
            f"{t_ours / t_full:.2f}x",
            f"{t_ours / t_base:.2f}x text only",
        ),
        (f"pages/s, pool of {args.workers}", f"{n / t_pool:.1f}", "-"),
        ("body precision (mean)", f"{s_ours.precision:.3f}", f"{s_base.precision:.3f}"),
        ("body recall (mean)", f"{s_ours.recall:.3f}", f"{s_base.recall:.3f}"),
        ("body F1 (of means)", f"{s_ours.f1:.3f}", f"{s_base.f1:.3f}"),
        ("pages with F1 < 0.5", str(s_ours.low_f1), str(s_base.low_f1)),
        ("empty extractions", str(s_ours.empty), str(s_base.empty)),
        ("'with' snippets found", _pct(s_ours.with_found), _pct(s_base.with_found)),
        ("'without' snippets leaked", _pct(s_ours.without_leaked), _pct(s_base.without_leaked)),
        ("title exact match", _pct(s_ours.title), _pct(s_base.title)),
        ("  typography folded", _pct(s_ours.title_typo), _pct(s_base.title_typo)),
        ("author agreement", _pct(s_ours.author), _pct(s_base.author)),
        ("  contract-scored", _pct(s_ours.author_contract), _pct(s_base.author_contract)),
        ("date agreement (same day, UTC)", _pct(s_ours.date), _pct(s_base.date)),
        ("  page's own day", _pct(s_ours.date_own), _pct(s_base.date_own)),
        ("  own day, contract-scored", _pct(s_ours.date_contract), _pct(s_base.date_contract)),
        ("date within one day", _pct(s_ours.date_near), _pct(s_base.date_near)),
    ]
    print(f"{n} pages from {args.data}")
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'newsmill extract':>20}  {'bare trafilatura':>20}")
    for label, a, b in rows:
        print(f"{label:{width}}  {a:>20}  {b:>20}")
    reach = [reachable(p) for p in pages]
    t_reach = [t for t, _ in reach if t is not None]
    d_reach = [d for _, d in reach if d is not None]
    people = [
        expected_people(p.truth["author"], p.url) != [] for p in pages if p.truth.get("author")
    ]
    print(
        "ceilings from the page itself: "
        f"title is one of its title signals {_pct((sum(t_reach), len(t_reach)))}, "
        f"date day is stated in it {_pct((sum(d_reach), len(d_reach)))}, "
        f"author reference is a person {_pct((sum(people), len(people)))}"
    )
    print(
        "(trafilatura: extract() for text, extract_metadata() for title/author/date; "
        "baseline dates are htmldate's, already in the page's own day)"
    )
    refused = Counter(o.error.split(" (")[0] for o in ours if o.error)
    if refused:
        print("refused by newsmill: " + ", ".join(f"{k}: {v}" for k, v in refused.most_common()))
    if args.misses:
        print("\nnewsmill misses by reason")
        for fld, reasons in s_ours.misses.items():
            for reason, count in reasons.most_common():
                print(f"  {fld:<7} {count:>4}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
