"""One loopback HTTP server per publisher host, answering from the shared demo state."""

from __future__ import annotations

import gzip
import socketserver
from datetime import UTC
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from newsmill.pipeline.demo.markup import http_date
from newsmill.pipeline.demo.model import RequestLog, Response

_SERVER_HEADERS = {
    "gazette": "nginx/1.24.0",
    "ledger": "Apache/2.4.58 (Unix)",
    "elsewhere": "coastwise-edge",
}
_COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/javascript")


class Sites(Protocol):
    """What the host servers need from the demo: an answer per request, and a request log."""

    def answer(self, publisher: str, path: str, query: str) -> Response: ...

    def record(self, entry: RequestLog) -> None: ...


class HostServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], demo: Sites, publisher: str) -> None:
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
    server: HostServer
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
        response = self.server.demo.answer(self.server.publisher, parts.path or "/", parts.query)
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
        self.server.demo.record(
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
