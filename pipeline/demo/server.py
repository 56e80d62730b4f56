"""The demo news sites on loopback: one HTTP server per publisher host, sharing one state.

Each publisher gets its own loopback address (127.0.0.2, .3, .4), so to a crawler they are
separate hosts with separate robots.txt, politeness slots and domain checks.
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from newsmill.pipeline.demo import elsewhere, gazette, ledger, ledger_chrome
from newsmill.pipeline.demo.catalogue import expected
from newsmill.pipeline.demo.host_server import HostServer
from newsmill.pipeline.demo.model import ExpectedArticle, RequestLog, Response, World
from newsmill.pipeline.demo.sites_file import sites_yaml
from newsmill.pipeline.demo.stories import all_stories, cases, cast

HOSTS: dict[str, str] = {"gazette": "127.0.0.2", "ledger": "127.0.0.3", "elsewhere": "127.0.0.4"}
# 1: the site as first crawled; 2: two new stories and one revised; 3: adds a trimmed syndicated
# copy and a same-event story (deduplication across runs).
EDITIONS = (1, 2, 3)
CASES = (
    "robots_disallowed",
    "amp",
    "tracking",
    "syndicated",
    "non_html",
    "broken",
    "flaky",
    "cp1252",
    "calendar",
    "offdomain",
)
# Extra case names beyond the contract, for tests that need to point at a specific story.
EXTRA_CASES = (
    "archive",
    "changed",
    "new_gazette",
    "new_ledger",
    "french",
    "shortlink",
    "syndicated_trimmed",
    "same_event",
)
__all__ = ["DemoServer", "ExpectedArticle", "RequestLog", "main"]


class DemoServer:
    """The Harbour Gazette, The Northern Ledger and an off-domain host, served on loopback."""

    def __init__(self, edition: int = 1, port: int = 0) -> None:
        _check_edition(edition)
        self._edition = edition
        self._wanted_port = port
        self._port: int | None = port or None
        # Relative article dates are pinned once, so every page and the catalogue agree.
        self._today = datetime.now(UTC).date()
        self._lock = threading.Lock()
        self._log: list[RequestLog] = []
        self._failed_once: set[str] = set()
        self._worlds: dict[int, World] = {}
        self._servers: dict[str, HostServer] = {}
        self._threads: list[threading.Thread] = []

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> DemoServer:
        if self._servers:
            return self
        port, servers = self._bind()
        self._port = port
        self._servers = servers
        for publisher, srv in servers.items():
            thread = threading.Thread(
                target=srv.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"demo-{publisher}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _bind(self) -> tuple[int, dict[str, HostServer]]:
        # One port on every host keeps URLs easy to read; an ephemeral port taken on the first
        # host is almost always free on the others, and a clash just means another try.
        attempts = 1 if self._wanted_port else 50
        last_error: OSError | None = None
        for _ in range(attempts):
            servers: dict[str, HostServer] = {}
            port = self._wanted_port
            try:
                for publisher, host in HOSTS.items():
                    srv = HostServer((host, port), self, publisher)
                    servers[publisher] = srv
                    port = int(srv.server_address[1])
                return port, servers
            except OSError as exc:
                last_error = exc
                for srv in servers.values():
                    srv.server_close()
        raise RuntimeError(f"could not bind the demo hosts {list(HOSTS.values())}: {last_error}")

    def stop(self) -> None:
        servers, self._servers = self._servers, {}
        for srv in servers.values():
            srv.shutdown()
            srv.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- state --------------------------------------------------------------------------------

    @property
    def edition(self) -> int:
        return self._edition

    def set_edition(self, n: int) -> None:
        _check_edition(n)
        with self._lock:
            self._edition = n

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self._failed_once.clear()

    @property
    def requests(self) -> list[RequestLog]:
        with self._lock:
            return list(self._log)

    def requested(self, publisher: str, path_prefix: str) -> bool:
        host = HOSTS[publisher]
        return any(r.host == host and r.path.startswith(path_prefix) for r in self.requests)

    def record(self, entry: RequestLog) -> None:
        with self._lock:
            self._log.append(entry)

    # --- URLs and content ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("DemoServer has no port yet: call start() first")
        return self._port

    def base_url(self, publisher: str) -> str:
        if publisher not in HOSTS:
            raise KeyError(f"unknown demo publisher {publisher!r}; known: {', '.join(HOSTS)}")
        return f"http://{HOSTS[publisher]}:{self.port}"

    def _world(self, edition: int | None = None) -> World:
        with self._lock:
            n = self._edition if edition is None else edition
            world = self._worlds.get(n)
            if world is None:
                bases = {p: self.base_url(p) for p in HOSTS}
                world = World(all_stories(), self._today, n, bases)
                self._worlds[n] = world
            return world

    def answer(self, publisher: str, path: str, query: str) -> Response:
        world = self._world()
        if publisher == "gazette":
            if path == world.get(cases()["flaky"]).path:
                with self._lock:
                    first = path not in self._failed_once
                    self._failed_once.add(path)
                if first:
                    return _unavailable()
            return gazette.respond(world, path, query)
        if publisher == "ledger":
            return ledger.respond(world, path, query)
        return elsewhere.respond(path)

    def catalogue(self) -> list[ExpectedArticle]:
        world = self._world()
        return [expected(world, p) for p in world.placed]

    def case_url(self, name: str) -> str:
        # Paths do not depend on the edition; the last edition's world simply knows every story.
        world = self._world(EDITIONS[-1])
        gazette_base, ledger_base = self.base_url("gazette"), self.base_url("ledger")
        today = world.today
        urls = {
            "robots_disallowed": gazette_base + gazette.private_path(world),
            "amp": gazette.amp_url(world),
            "tracking": gazette.tracking_url(world),
            "non_html": ledger_base + ledger.PDF_PATH,
            "broken": ledger_base + ledger.BROKEN_PATH,
            "calendar": ledger_base + ledger_chrome.calendar_path(today.year, today.month),
            "offdomain": gazette.offdomain_url(world),
            "shortlink": f"{gazette_base}/?p={cast('shortlink').number}",
        }
        # Every other case is one story's own URL (content/cases.yaml says which story).
        for case in CASES + EXTRA_CASES:
            if case not in urls:
                urls[case] = world.get(cases()[case]).url
        if name not in urls:
            raise KeyError(f"unknown demo case {name!r}; known: {', '.join(urls)}")
        return urls[name]

    def write_sites_file(self, path: Path, *, delay: float = 0.0, concurrency: int = 4) -> Path:
        """The sites file for these servers, laid out as in PRODUCT.md."""
        bases = {p: self.base_url(p) for p in HOSTS}
        text = sites_yaml(bases, HOSTS, delay=delay, concurrency=concurrency)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def _check_edition(n: int) -> None:
    if n not in EDITIONS:
        raise ValueError(f"demo edition must be one of {EDITIONS}, got {n!r}")


def _unavailable() -> Response:
    body = (
        b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
        b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
        b"<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"
    )
    return Response(503, body, "text/html", headers=(("Retry-After", "1"),))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the newsmill demo news sites on loopback.")
    parser.add_argument("--port", type=int, default=0, help="port on every host (0: any free)")
    parser.add_argument("--edition", type=int, default=1, choices=EDITIONS)
    args = parser.parse_args(argv)
    with DemoServer(edition=args.edition, port=args.port) as server:
        for publisher in HOSTS:
            print(f"{publisher:10} {server.base_url(publisher)}/")
        print("cases:")
        for name in CASES + EXTRA_CASES:
            print(f"  {name:18} {server.case_url(name)}")
        print("serving until Ctrl-C", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopping")


if __name__ == "__main__":
    main()
