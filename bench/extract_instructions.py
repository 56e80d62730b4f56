"""Extraction's cost per page in CPU instructions, which this machine's noise does not move.

    .venv/bin/python bench/extract_instructions.py [--checkout PATH] [--every 5]

Timings of one checkout against another drift by several per cent from run to run here (the
virtual machine's neighbours), more than most speed changes. An instruction count does not:
valgrind's cachegrind counts the instructions of one process extracting every `--every`-th page
of both development sets as `bench/record_digests.py` does (after a warm-up), and of the same
process extracting none; the
difference over the page count is the cost of a page. Both run at once, one per core, and take
some minutes (valgrind runs code about 50 times slower).

`--checkout` measures another worktree's code with this checkout's libraries (the package is
assembled from the worktree's folders, as `scripts/typecheck.sh` does), so two checkouts
compare on their code alone. Needs `valgrind` (Debian package).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("pipeline", "spiders", "storage")

# Run under valgrind, with bench/ on the path: argv = every, extract (1) or not (0).
CHILD = """
import sys
from record_digests import dev_pages, record_of
every, run = int(sys.argv[1]), sys.argv[2] == "1"
pages = dev_pages(every)
for page in pages[:3]:
    record_of(page)
from htmldate.extractors import external_date_parser
external_date_parser("zzqx 13 blorp 2021", "%Y-%m-%d")
for page in (pages[3:] if run else []):
    record_of(page)
print(len(pages) - 3)
"""


def package_tree(checkout: Path, into: Path) -> Path:
    """`newsmill` as installed, made of links into the checkout's folders."""
    package = into / "newsmill"
    package.mkdir(parents=True)
    for item in (checkout / "newsmill").iterdir():
        (package / item.name).symlink_to(item)
    for part in PARTS:
        (package / part).symlink_to(checkout / part)
    return into


def instructions(out_file: Path) -> int:
    match = re.search(r"^summary:\s*(\d+)", out_file.read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit(f"no summary in {out_file}")
    return int(match[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=HERE.parent)
    parser.add_argument("--every", type=int, default=5, help="every N-th page of each set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = package_tree(args.checkout.resolve(), Path(tmp) / "pkg")
        env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{HERE}"}
        runs = {}
        for run in ("1", "0"):
            out = Path(tmp) / f"cachegrind.{run}"
            runs[run] = (out, subprocess.Popen(
                ["valgrind", "--tool=cachegrind", "--cache-sim=no",
                 f"--cachegrind-out-file={out}", sys.executable, "-c", CHILD,
                 str(args.every), run],
                env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        pages = 0
        for run, (_, proc) in runs.items():
            stdout, _ = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"valgrind run {run} failed ({proc.returncode})")
            if run == "1":
                pages = int(stdout.split()[-1])
        per_page = (instructions(runs["1"][0]) - instructions(runs["0"][0])) / pages
    print(f"{args.checkout}: {pages} pages, {per_page / 1e6:.1f} million instructions a page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
