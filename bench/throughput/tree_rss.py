"""Peak resident memory of a process and everything it starts, sampled while it runs, and the
CPU time of each of its processes (last seen), by role."""

from __future__ import annotations

import threading
import time

import psutil


class TreeRss:
    """Samples `pid` and its descendants every `interval` s: the peak of their summed RSS and
    the largest single process seen."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_total = 0
        self.peak_single = 0
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (role, user + system seconds)
        self.peak_by_role: dict[str, int] = {}  # the largest single process of each role
        self.peak_at: dict[str, float] = {}  # seconds after the start when that peak was seen
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return  # the root is gone
            sizes = []
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    sizes.append(rss)
                    times = proc.cpu_times()
                    role = self.cpu.get(proc.pid, (None, 0.0))[0] or self._role(proc)
                    self.cpu[proc.pid] = (role, times.user + times.system)
                    if rss > self.peak_by_role.get(role, 0):
                        self.peak_by_role[role] = rss
                        self.peak_at[role] = time.monotonic() - self._start
                except psutil.Error:
                    continue  # ended between the listing and the read
            if sizes:
                self.peak_total = max(self.peak_total, sum(sizes))
                self.peak_single = max(self.peak_single, max(sizes))

    def _role(self, proc: psutil.Process) -> str:
        if proc.pid == self.root.pid:
            return "newsmill run (parent)"
        if any("spiders.runner" in part for part in proc.cmdline()):
            return "crawl"
        return "extraction workers"

    def cpu_by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for role, seconds in self.cpu.values():
            out[role] = out.get(role, 0.0) + seconds
        return out
