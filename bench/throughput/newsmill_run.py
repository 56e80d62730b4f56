"""`newsmill run` as a user runs it (a subprocess, a fresh local store), timed and measured."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from throughput.tree_rss import TreeRss


@dataclass
class RunFigures:
    seconds: float
    fetched: int
    records: int
    quarantined: int
    peak_tree_mb: float
    peak_process_mb: float
    cpu_seconds: float  # user + system of the whole tree: what the machine's load cannot hide
    cpu_by_role: dict[str, float]  # sampled: a process's last 0.1 s may be missing
    peak_mb_by_role: dict[str, float]
    peak_at: dict[str, float]  # role -> seconds into the run when its peak was seen
    report: dict[str, Any]


def newsmill_run(sites: Path, store: Path) -> RunFigures:
    exe = str(Path(sys.executable).parent / "newsmill")
    cmd = [exe, "run", "--sites", str(sites), "--store", str(store), "--json", "-q"]
    cpu_before = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeRss(proc.pid) as rss:
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    cpu = children_cpu() - cpu_before
    if proc.returncode != 0:
        raise SystemExit(f"newsmill run failed ({proc.returncode}): {err[-3000:]}")
    report = json.loads(out)
    sites_counts = report["sites"].values()
    return RunFigures(
        seconds=seconds,
        fetched=sum(s["fetched"] for s in sites_counts),
        records=sum(s["articles"] for s in sites_counts),
        quarantined=sum(s["quarantined"] for s in sites_counts),
        peak_tree_mb=rss.peak_total / 2**20,
        peak_process_mb=rss.peak_single / 2**20,
        cpu_seconds=cpu,
        cpu_by_role=rss.cpu_by_role(),
        peak_mb_by_role={role: b / 2**20 for role, b in rss.peak_by_role.items()},
        peak_at=dict(rss.peak_at),
        report=report,
    )


def children_cpu() -> float:
    """CPU seconds of every finished descendant this process has waited for (the kernel adds
    a child's own waited-for children to it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
