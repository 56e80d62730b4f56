"""The demo news sites on loopback: one HTTP server per publisher host, sharing one state.

Each publisher gets its own loopback address (127.0.0.2, .3, .4), so to a crawler they are
separate hosts with separate robots.txt, politeness slots and domain checks.
"""

from __future__ import annotations

import argparse
import gzip
import socketserver
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from newsmill.pipeline.demo import (
    content,
    gazette,
    gazette_article,
    gazette_chrome,
    ledger,
    ledger_chrome,
)
from newsmill.pipeline.demo.markup import esc, http_date
from newsmill.pipeline.demo.model import ExpectedArticle, Placed, RequestLog, Response, World, utc_z
from newsmill.pipeline.extract.typography import plain_typography

HOSTS: dict[str, str] = {"gazette": "127.0.0.2", "ledger": "127.0.0.3", "elsewhere": "127.0.0.4"}
# 1: the site as first crawled; 2: two new stories and one revised; 3: adds a trimmed syndicated
# copy and a same-event story (deduplication across runs).
EDITIONS = (1, 2, 3)
USER_AGENT = "newsmill-demo (+https://example.org/newsmill)"
GAZETTE_ARTICLE_URLS = r"/\d{4}/\d{2}/\d{2}/[^/]+/?$"
LEDGER_ARTICLE_URLS = r"/news/\d+-[^/]+\.(html|pdf)$"
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
EXTRA_CASES = ("archive", "changed", "new_gazette", "new_ledger", "french", "shortlink",
               "syndicated_trimmed", "same_event")
_SERVER_HEADERS = {
    "gazette": "nginx/1.24.0",
    "ledger": "Apache/2.4.58 (Unix)",
    "elsewhere": "coastwise-edge",
}
_COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/javascript")

__all__ = ["DemoServer", "ExpectedArticle", "RequestLog", "main"]


class _HostServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], demo: DemoServer, publisher: str) -> None:
        self.demo = demo
        self.publisher = publisher
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup of the address, which can stall for
        # seconds in sandboxes without a resolver; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _Handler(BaseHTTPRequestHandler):
    server: _HostServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections must not pin handler threads forever

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"<html><body>Method not allowed</body></html>"
        self._send(Response(405, body, "text/html; charset=UTF-8"), True, {"Allow": "GET, HEAD"})

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the request log replaces stderr chatter

    def version_string(self) -> str:
        return _SERVER_HEADERS[self.server.publisher]

    def _serve(self, send_body: bool) -> None:
        parts = urlsplit(self.path)
        response = self.server.demo._respond(self.server.publisher, parts.path or "/", parts.query)
        extra: dict[str, str] = {}
        if _not_modified(response, self.headers.get("If-Modified-Since")):
            response = Response(304, b"", response.content_type, response.last_modified)
        elif (
            response.status == 200
            and "gzip" in (self.headers.get("Accept-Encoding") or "")
            and response.content_type.startswith(_COMPRESSIBLE)
            and len(response.body) > 512
        ):
            # mtime=0 keeps the compressed bytes identical across editions and runs.
            response = Response(
                response.status,
                gzip.compress(response.body, mtime=0),
                response.content_type,
                response.last_modified,
                response.headers,
            )
            extra["Content-Encoding"] = "gzip"
        if response.content_type.startswith(_COMPRESSIBLE):
            extra["Vary"] = "Accept-Encoding"
        self._send(response, send_body, extra)

    def _send(self, response: Response, send_body: bool, extra: dict[str, str]) -> None:
        host, port = self.server.server_address[:2]
        parts = urlsplit(self.path)
        # Logged before the reply goes out, so a client that has its answer can already see it.
        self.server.demo._record(
            RequestLog(
                host=str(host),
                port=int(port),
                path=parts.path or "/",
                query=parts.query,
                method=self.command,
                status=response.status,
                user_agent=self.headers.get("User-Agent") or "",
            )
        )
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if response.last_modified is not None:
            self.send_header("Last-Modified", http_date(response.last_modified))
        for name, value in (*response.headers, *extra.items()):
            self.send_header(name, value)
        self.end_headers()
        if send_body and response.status != 304:
            self.wfile.write(response.body)


def _not_modified(response: Response, since: str | None) -> bool:
    if response.status != 200 or response.last_modified is None or not since:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return response.last_modified.replace(microsecond=0) <= when


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
        self._servers: dict[str, _HostServer] = {}
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

    def _bind(self) -> tuple[int, dict[str, _HostServer]]:
        # One port on every host keeps URLs easy to read; an ephemeral port taken on the first
        # host is almost always free on the others, and a clash just means another try.
        attempts = 1 if self._wanted_port else 50
        last_error: OSError | None = None
        for _ in range(attempts):
            servers: dict[str, _HostServer] = {}
            port = self._wanted_port
            try:
                for publisher, host in HOSTS.items():
                    srv = _HostServer((host, port), self, publisher)
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

    def _record(self, entry: RequestLog) -> None:
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
                world = World(content.STORIES, self._today, n, bases)
                self._worlds[n] = world
            return world

    def _respond(self, publisher: str, path: str, query: str) -> Response:
        world = self._world()
        if publisher == "gazette":
            if path == world.get(content.FLAKY_STORY).path:
                with self._lock:
                    first = path not in self._failed_once
                    self._failed_once.add(path)
                if first:
                    return _unavailable()
            return gazette.respond(world, path, query)
        if publisher == "ledger":
            return ledger.respond(world, path, query)
        return _elsewhere(path)

    def catalogue(self) -> list[ExpectedArticle]:
        world = self._world()
        return [_expected(world, p) for p in world.placed]

    def case_url(self, name: str) -> str:
        # Paths do not depend on the edition; the last edition's world simply knows every story.
        world = self._world(EDITIONS[-1])
        gazette_base, ledger_base = self.base_url("gazette"), self.base_url("ledger")
        today = world.today
        urls = {
            "robots_disallowed": gazette_base + gazette.private_path(world),
            "amp": gazette.amp_url(world),
            "tracking": gazette.tracking_url(world),
            "syndicated": world.get(content.SEALS_COPY.key).url,
            "non_html": ledger_base + ledger.PDF_PATH,
            "broken": ledger_base + ledger.BROKEN_PATH,
            "flaky": world.get(content.FLAKY_STORY).url,
            "cp1252": world.get(content.CAFE.key).url,
            "calendar": ledger_base + ledger_chrome.calendar_path(today.year, today.month),
            "offdomain": gazette.offdomain_url(world),
            "archive": world.get(content.MUSEUM.key).url,
            "changed": world.get(content.CHANGED_STORY).url,
            "new_gazette": world.get(content.NIGHT_BUS.key).url,
            "new_ledger": world.get(content.SNOW.key).url,
            "french": world.get(content.FROMAGERIE.key).url,
            "shortlink": f"{gazette_base}/?p={content.DREDGING.number}",
            "syndicated_trimmed": world.get(content.TRIMMED_COPY_STORY).url,
            "same_event": world.get(content.SAME_EVENT_STORY).url,
        }
        if name not in urls:
            raise KeyError(f"unknown demo case {name!r}; known: {', '.join(urls)}")
        return urls[name]

    def write_sites_file(self, path: Path, *, delay: float = 0.0, concurrency: int = 4) -> Path:
        """The sites file for these servers, laid out as in PRODUCT.md (block style, flow lists).

        Written by hand rather than with yaml.safe_dump so the layout is the documented one:
        tests edit it textually (e.g. insert a key after `max_depth: 3`).
        """
        g, led = self.base_url("gazette"), self.base_url("ledger")
        text = f"""# newsmill demo sites, generated for the servers at {g} and {led}
allow_private_networks: {_flow(["127.0.0.0/8"])}
defaults:
  delay: {float(delay)!r}
  concurrency: {int(concurrency)}
  obey_robots: true
  user_agent: {_quote(USER_AGENT)}
  max_age_days: 30
sites:
  - name: gazette
    domains: {_flow([HOSTS["gazette"]])}
    feeds: {_flow([f"{g}/feed/"])}
    sitemaps: {_flow([f"{g}/sitemap_index.xml"])}
    start_urls: {_flow([f"{g}/"])}
    article_urls: {_flow([GAZETTE_ARTICLE_URLS])}
    follow_urls: {_flow(["/section/"])}
    max_depth: 2
    language: en
  - name: ledger
    domains: {_flow([HOSTS["ledger"]])}
    feeds: {_flow([f"{led}/rss.xml"])}
    start_urls: {_flow([f"{led}/"])}
    article_urls: {_flow([LEDGER_ARTICLE_URLS])}
    follow_urls: {_flow(["/section/", "/calendar/"])}
    max_depth: 3
"""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def _quote(value: str) -> str:
    # Single-quoted YAML keeps regex backslashes literal; only the quote itself needs doubling.
    return "'" + value.replace("'", "''") + "'"


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"


def _check_edition(n: int) -> None:
    if n not in EDITIONS:
        raise ValueError(f"demo edition must be one of {EDITIONS}, got {n!r}")


def _expected(world: World, placed: Placed) -> ExpectedArticle:
    story = placed.story
    if story.publisher == "gazette":
        boilerplate = gazette_article.boilerplate(world, placed)
        image = gazette_chrome.media_url(world, placed, story.lead.image)
        modified: str | None = utc_z(placed.modified)
    else:
        boilerplate = ledger.boilerplate(world, placed)
        image = f"{placed.base}/media/{story.lead.image}"
        modified = None  # the Ledger never prints a modification date
    original = world.get(story.syndicated_from).url if story.syndicated_from else None
    return ExpectedArticle(
        publisher=story.publisher,
        site=story.publisher,
        canonical_url=placed.url,
        # The record spells quotes in ASCII (pipeline.extract.typography); the page keeps the
        # publisher's typography.
        title=plain_typography(story.title),
        authors=[plain_typography(a) for a in story.authors],
        published_at=utc_z(placed.published),
        language=story.language,
        paragraphs=placed.paragraphs,
        boilerplate=boilerplate,
        archive=story.archive,
        edition=story.edition,
        syndicated_of=original,
        description=story.standfirst,
        modified_at=modified,
        categories=[story.section],
        tags=list(story.tags),
        image=image,
        captions=[f.caption for f in placed.figures],
        embeds=[t.text for t in placed.tweets],
    )


def _unavailable() -> Response:
    body = (
        b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
        b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
        b"<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"
    )
    return Response(503, body, "text/html", headers=(("Retry-After", "1"),))


def _elsewhere(path: str) -> Response:
    if path == "/robots.txt":
        return Response(200, b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Coastwise partner content</title></head>
<body><h1>Coastwise</h1><p>Tide tables and coastal forecasts. You asked for {esc(path)}.</p>
<p>This host belongs to a different organisation from the newspapers that link to it.</p></body>
</html>
"""
    return Response(200, page.encode(), "text/html; charset=utf-8")


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
