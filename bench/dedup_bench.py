"""Deduplication benchmarks: precision/recall on the labelled set, and the 1M-article scale run.

Usage:
    .venv/bin/python bench/dedup_bench.py eval [--seed 7] [--events 1500]
    .venv/bin/python bench/dedup_bench.py scale [--n 1000000] [--store DIR]

`eval` streams the labelled set (bench/dedup_labelled.py) through `DedupIndex.decide` in
publication order, as `newsmill process` would, and compares each `duplicate_of` with the truth:
precision = right links / links made, recall = right links / copies. It also prints the
estimated-Jaccard spread of copies and of hard negatives against their originals.

`scale` decides N synthetic articles (distinct stories drawn from a pool of 200,000 sentences,
1% of them edited copies of an earlier article, publication dates over two years), in one
process on one core, timing `decide` (signature + index lookup + insert) in CPU time (so other
work on the machine does not count; wall time is printed too), and prints articles/s and peak
RSS. It then saves the index to a local store and, in a fresh process, reloads it and
checks that replays and new copies of stored articles are recognised.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_labelled import Generator, Prose  # noqa: E402

from newsmill.pipeline.dedup import neardup  # noqa: E402
from newsmill.pipeline.dedup.index import DedupIndex, Verdict  # noqa: E402
from newsmill.pipeline.publish.article import Article  # noqa: E402
from newsmill.storage import open_store  # noqa: E402


def article(url: str, text: str, published_at: str, raw_ref: str) -> Article:
    return Article(url=url, canonical_url=url, site="bench", domain="bench.example", title="",
                   text=text, fetched_at=published_at, source="feed", raw_ref=raw_ref,
                   extractor="bench", published_at=published_at)


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited over fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cmd_eval(args: argparse.Namespace) -> None:
    items = Generator(args.seed, args.events).build()
    with tempfile.TemporaryDirectory() as tmp:
        index = DedupIndex.load(open_store(tmp))
        first: dict[str, str] = {}  # story -> id of its first item
        story_of: dict[str, str] = {}  # id -> story
        texts: dict[str, str] = {}
        right = missed = same_story = wrong_story = 0
        per_kind: Counter[str] = Counter()
        wrong: Counter[str] = Counter()
        sims: dict[str, list[float]] = {"copy": [], "negative": []}
        for n, it in enumerate(items):
            a = article(it.url, it.text, it.published_at, f"raw/{n}")
            index.decide(a)
            story_of[a.id] = it.story
            truth = first.get(it.story)
            family = it.story.split("/")[0]
            if it.kind != "original" and f"{family}/original" in texts:
                s_orig = neardup.signature(texts[f"{family}/original"])
                s_this = neardup.signature(it.text)
                if s_orig is not None and s_this is not None:
                    sims["copy" if it.kind == "copy" else "negative"].append(float(
                        neardup.similarity(neardup.short_sig(s_orig), neardup.short_sig(s_this))))
            per_kind[it.kind] += 1
            if truth is None:
                first[it.story] = a.id
                texts[it.story] = it.text
            elif a.duplicate_of == truth:
                right += 1
            else:
                missed += 1
                wrong[f"copy not linked to its original ({'+'.join(sorted(it.edits))})"] += 1
            if a.duplicate_of is not None and a.duplicate_of != truth:
                # A link to another item of the same story (an earlier copy that was itself
                # missed) joins two copies correctly; a link across stories is a false one.
                if story_of.get(a.duplicate_of) == it.story:
                    same_story += 1
                else:
                    wrong_story += 1
                    wrong[f"{it.kind} linked to another story"] += 1
    copies = right + missed
    links = right + same_story + wrong_story
    print(f"labelled set: seed={args.seed} events={args.events} items={len(items)} "
          + " ".join(f"{k}={v}" for k, v in sorted(per_kind.items())))
    print(f"copies={copies} linked to their original={right} not={missed}; links made={links}: "
          f"to another copy of the same story={same_story}, to another story={wrong_story}")
    precision = (links - wrong_story) / links if links else 1.0
    print(f"precision={precision:.4f} (links within the story / links)  "
          f"recall={right / copies:.4f} (copies linked to their original / copies)")
    for kind, values in sims.items():
        v = np.array(values)
        q = np.quantile(v, [0, 0.01, 0.05, 0.5, 0.95, 0.99, 1])
        print(f"estimated Jaccard vs original, {kind:8} (n={v.size}): min={q[0]:.3f} "
              f"p1={q[1]:.3f} p5={q[2]:.3f} median={q[3]:.3f} p95={q[4]:.3f} p99={q[5]:.3f} "
              f"max={q[6]:.3f}")
    for what, count in wrong.most_common(6):
        print(f"  error: {what}: {count}")


class Synthetic:
    """Article i of the scale run, reproducible from (seed, i) alone."""

    def __init__(self, seed: int, pool: int = 200_000) -> None:
        rng = random.Random(seed)
        prose = Prose(rng)
        self.pool = [prose.sentence() for _ in range(pool)]
        self.seed = seed
        self.start = date(2024, 1, 1)

    def day(self, i: int, n: int) -> str:
        # Publication order over two years: article i of n on day 730 * i / n.
        return (self.start + timedelta(days=730 * i // n)).isoformat() + "T12:00:00Z"

    def text(self, i: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + i)
        picks = rng.choices(self.pool, k=rng.randint(12, 36))
        paras = [" ".join(picks[j:j + 3]) for j in range(0, len(picks), 3)]
        return "\n\n".join(paras)

    @staticmethod
    def copy_of(text: str, i: int) -> str:
        """A trimmed copy with a credit line and one typo fixed."""
        paras = text.split("\n\n")[:-1]
        paras[0] = paras[0].replace("e", "a", 1)
        return "\n\n".join([*paras, f"This story was first published by source {i}."])

    def source_of_copy(self, i: int) -> int | None:
        """1% of articles are copies of an article up to ~5 days earlier."""
        rng = random.Random(self.seed * 7_000_003 + i)
        if i < 10_000 or rng.random() >= 0.01:
            return None
        while True:  # a copy of an original, never of another copy
            src = i - rng.randint(1, 5_000)
            if self.source_of_copy(src) is None:
                return src

    def article(self, i: int, n: int) -> Article:
        src = self.source_of_copy(i)
        text = self.copy_of(self.text(src), src) if src is not None else self.text(i)
        return article(f"https://site{i % 97}.example/a/{i}", text, self.day(i, n), f"raw/{i}")


def cmd_scale(args: argparse.Namespace) -> None:
    n = args.n
    gen = Synthetic(args.seed)
    index = DedupIndex.load(open_store(args.store))
    decide_s = 0.0  # CPU time of this process: the per-core figure, whatever else the machine runs
    decide_wall = 0.0
    sig_s = 0.0
    verdicts: Counter[str] = Counter()
    copies = found = 0
    words = 0
    t_all = time.perf_counter()
    for i in range(n):
        a = gen.article(i, n)
        words += a.word_count
        if i % 50 == 0:  # the signature alone, on a sample
            t0 = time.process_time()
            neardup.signature(a.text)
            sig_s += time.process_time() - t0
        w0, t0 = time.perf_counter(), time.process_time()
        v = index.decide(a)
        decide_s += time.process_time() - t0
        decide_wall += time.perf_counter() - w0
        verdicts[v] += 1
        src = gen.source_of_copy(i)
        if src is not None:
            copies += 1
            found += a.duplicate_of == gen.article(src, n).id
        if (i + 1) % 100_000 == 0:
            print(f"  {i + 1:>9,} decided  {(i + 1) / decide_s:,.0f} articles/s  "
                  f"peak RSS {peak_rss_mb():,.0f} MB  segments={len(index.segments)}",
                  flush=True)
    total = time.perf_counter() - t_all
    print(f"scale: {n:,} articles, {words / n:.0f} words on average, one process, one core")
    print(f"decide (signature + lookup + insert): {decide_s:.1f} CPU s = {n / decide_s:,.0f} "
          f"articles/s per core ({decide_wall:.1f} s wall = {n / decide_wall:,.0f}/s)")
    print(f"signature alone (1 in 50 sampled): {sig_s / (n // 50) * 1e6:.0f} us per article")
    print(f"verdicts: {dict(verdicts)}; copies linked to their source: {found}/{copies}")
    print(f"wall time with synthetic text generation: {total:.1f} s; "
          f"peak RSS {peak_rss_mb():,.0f} MB")
    t0 = time.perf_counter()
    index.save(open_store(args.store))
    size = sum(p.stat().st_size for p in Path(args.store).rglob("*") if p.is_file())
    print(f"save: {time.perf_counter() - t0:.1f} s, {size / 1e6:,.0f} MB on the store in "
          f"{len(index.segments)} segments; peak RSS {peak_rss_mb():,.0f} MB")
    del index
    proc = subprocess.run([sys.executable, __file__, "reload", "--n", str(n), "--store",
                           args.store, "--seed", str(args.seed)], capture_output=True, text=True)
    sys.stdout.write(proc.stdout + proc.stderr)


def cmd_reload(args: argparse.Namespace) -> None:
    """In a fresh process: load the saved index and query it."""
    n = args.n
    gen = Synthetic(args.seed)
    t0 = time.perf_counter()
    index = DedupIndex.load(open_store(args.store))
    rows = index.rows  # forces the segments in
    load_s = time.perf_counter() - t0
    rng = random.Random(1)
    probes = rng.sample(range(n), 5_000)
    ok_replay = ok_copy = 0
    t0 = time.process_time()
    for i in probes:
        a = gen.article(i, n)
        ok_replay += index.decide(a) is Verdict.REPLAY
        c = article(f"https://elsewhere.example/{i}", gen.copy_of(a.text, i), a.published_at or "",
                    f"raw/probe/{i}")
        ok_copy += index.decide(c) is Verdict.DUPLICATE and c.duplicate_of == (
            a.duplicate_of or a.id)
    q_s = time.process_time() - t0
    print(json.dumps({"reload_rows": rows, "load_seconds": round(load_s, 1),
                      "replays_recognised": f"{ok_replay}/{len(probes)}",
                      "new_copies_linked": f"{ok_copy}/{len(probes)}",
                      "queries_per_cpu_second": round(2 * len(probes) / q_s),
                      "peak_rss_mb": round(peak_rss_mb())}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("eval")
    e.add_argument("--seed", type=int, default=7)
    e.add_argument("--events", type=int, default=1500)
    for name in ("scale", "reload"):
        s = sub.add_parser(name)
        s.add_argument("--n", type=int, default=1_000_000)
        s.add_argument("--seed", type=int, default=11)
        s.add_argument("--store", default=None)
    args = parser.parse_args()
    if args.cmd == "eval":
        cmd_eval(args)
        return
    if args.store is None:
        args.store = tempfile.mkdtemp(prefix="dedup-bench-")
        print(f"store: {args.store}")
    (cmd_scale if args.cmd == "scale" else cmd_reload)(args)


if __name__ == "__main__":
    main()
