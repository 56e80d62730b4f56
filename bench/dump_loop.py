"""How often `newsmill dump` exits non-zero after its work: run it N times on one small store.

Usage: .venv/bin/python bench/dump_loop.py [--runs 300] [--store DIR]

Without --store, a fresh temporary store is filled once by `newsmill demo --store DIR`; with
--store, an existing store is used (and filled by the demo first if it has no dump yet). Each
repetition is a fresh `newsmill dump --date D` process for the demo's ingestion date, as a user
or a scheduler runs it; each one reads every article Parquet file of the date, which is the
path that used to abort at interpreter exit (SIGABRT, exit -6: Arrow's thread pool torn down
with live dataset scanner threads). Prints the count of non-zero exits by exit code, the first
failure's stderr, and the time per run.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _newsmill() -> str:
    return str(Path(sys.executable).parent / "newsmill")


def _dump_dates(store: Path) -> list[str]:
    return sorted(p.name.split("=", 1)[1] for p in (store / "dumps").glob("date=*"))


def _ensure_demo_store(store: Path) -> list[str]:
    if not _dump_dates(store):
        proc = subprocess.run([_newsmill(), "demo", "--store", str(store), "-q"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"newsmill demo failed ({proc.returncode}): {proc.stderr[-2000:]}")
    dates = _dump_dates(store)
    if not dates:
        sys.exit(f"no dump partition in {store} after the demo")
    return dates


def loop(store: Path, runs: int) -> int:
    day = _ensure_demo_store(store)[-1]
    codes: collections.Counter[int] = collections.Counter()
    first_failure = ""
    t0 = time.perf_counter()
    for i in range(runs):
        proc = subprocess.run([_newsmill(), "dump", "--store", str(store), "--date", day],
                              capture_output=True, text=True)
        codes[proc.returncode] += 1
        if proc.returncode != 0 and not first_failure:
            first_failure = f"run {i + 1}: exit {proc.returncode}\n{proc.stderr[-2000:]}"
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{runs} runs, {runs_failed(codes)} non-zero so far", flush=True)
    seconds = time.perf_counter() - t0
    failed = runs_failed(codes)
    print(f"newsmill dump --date {day} x {runs}: {failed} non-zero exit(s); "
          f"exit codes {dict(sorted(codes.items()))}; {seconds / max(runs, 1):.2f} s/run")
    if first_failure:
        print("first failure:\n" + first_failure)
    return failed


def runs_failed(codes: collections.Counter[int]) -> int:
    return sum(n for code, n in codes.items() if code != 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--store", help="store folder (default: a fresh temporary one)")
    args = parser.parse_args()
    if args.store:
        failed = loop(Path(args.store).resolve(), args.runs)
    else:
        with tempfile.TemporaryDirectory(prefix="newsmill-dump-loop-") as tmp:
            failed = loop(Path(tmp) / "store", args.runs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
