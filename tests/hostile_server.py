"""A hostile news site on loopback: every way a page can hurt an unattended crawler.

One host, 127.0.0.6, and a listener on 127.0.0.1 at the same port that records any request
(the sites file never allows 127.0.0.1, so nothing may reach it). The feed names:

- /a/ok-1, /a/ok-2           two good articles
- /a/big                     a 50 MB page, streamed without Content-Length
- /a/bomb                    a gzip bomb: ~100 KB on the wire, 100 MB inflated
- /a/trickle                 one byte every 0.3 s
- /a/loop                    /a/loop -> /a/loop-2 -> /a/loop
- /a/hops/0                  a chain of 20 redirects
- /a/private                 301 to http://127.0.0.1:<port>/a/secret
- /a/file                    302 to file:///etc/passwd
- /a/lying                   says UTF-8, is cp1252
- /a/pdf                     not HTML
- /a/long?...                a 3000-character URL
and the sitemap is cut off mid-document (two entries before the damage). The start page links
into an endless calendar, a relative-link loop with repeating segments, and session-id links.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback_pair import LoopbackServer, serve_on_two_hosts, stop_servers

HOST = "127.0.0.6"
PRIVATE = "127.0.0.1"
BIG = 50 * 1024 * 1024
BOMB = 100 * 1024 * 1024

_bomb_cache: list[bytes] = []
_bomb_lock = threading.Lock()


def gzip_bomb(size: int = BOMB) -> bytes:
    """`size` zero bytes, gzipped (built in chunks: the server never holds them inflated)."""
    with _bomb_lock:
        if not _bomb_cache:
            z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            chunk = b"\0" * (1024 * 1024)
            parts = [z.compress(chunk) for _ in range(size // len(chunk))]
            parts.append(z.flush())
            _bomb_cache.append(b"".join(parts))
        return _bomb_cache[0]


def article_html(title: str, n: int = 1) -> str:
    para = (
        f"The harbour board met on Tuesday to discuss story {n}, and councillors argued for "
        "two hours about the cost of dredging the channel before the winter storms arrive. "
        "Residents who attended said the plan had been changed three times since the spring "
        "without anyone asking the people who live beside the water what they thought."
    )
    body = "".join(f"<p>{para} Paragraph {i} of story {n}.</p>" for i in range(6))
    return (
        f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
        f"<meta property=\"og:title\" content=\"{title}\">"
        f"<meta name=\"author\" content=\"Alex Reporter\"></head><body><article>"
        f"<h1>{title}</h1><p class=\"byline\">By Alex Reporter</p>{body}</article>"
        "</body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 301) -> None:
        self._send(status, b"moved", headers={"Location": location})

    def do_GET(self) -> None:  # noqa: C901, PLR0912 - one branch per hostile page
        site = self.server.owner
        with site.lock:
            site.log.append((str(self.server.server_address[0]), self.path))
        path = self.path
        if self.server.server_address[0] == PRIVATE:
            self._send(200, article_html("Secret"))
            return
        base = site.base
        try:
            if path == "/robots.txt":
                self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            elif path == "/feed.xml":
                self._send(200, site.feed().encode(), "application/rss+xml")
            elif path == "/sitemap.xml":
                self._send(200, site.truncated_sitemap().encode(), "application/xml")
            elif path.startswith("/a/ok-") or path.startswith("/a/sm-"):
                self._send(200, article_html(f"Story {path[3:]}", len(path)).encode())
            elif path == "/a/big":
                self._stream_big()
            elif path == "/a/bomb":
                self._send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
            elif path == "/a/trickle":
                self._trickle()
            elif path == "/a/loop":
                self._redirect(f"{base}/a/loop-2", 302)
            elif path == "/a/loop-2":
                self._redirect(f"{base}/a/loop", 302)
            elif path.startswith("/a/hops/"):
                n = int(path.rsplit("/", 1)[1])
                self._redirect(f"{base}/a/hops/{n + 1}", 302)
            elif path == "/a/private":
                self._redirect(f"http://{PRIVATE}:{site.port}/a/secret")
            elif path == "/a/file":
                self._redirect("file:///etc/passwd", 302)
            elif path == "/a/lying":
                html = article_html("Caf\u00e9 society: the lying charset", 99)
                self._send(200, html.encode("cp1252"))
            elif path == "/a/pdf":
                self._send(200, b"%PDF-1.4\n" + b"\x00\x01binary" * 200, "application/pdf")
            elif path.startswith("/a/long"):
                self._send(200, article_html("Long").encode())
            elif path == "/start/":
                links = [
                    "/calendar/2026/01/", "/s/deep/", f"/sess?sid={secrets.token_hex(16)}",
                    "/a/ok-1",
                ]
                self._send(200, _page(links).encode())
            elif path.startswith("/calendar/"):
                parts = [p for p in path.split("/") if p]
                y, m = int(parts[1]), int(parts[2])
                nxt = (y + (m == 12), m % 12 + 1)
                prv = (y - (m == 1), (m - 2) % 12 + 1)
                links = [f"/calendar/{a:04d}/{b:02d}/" for a, b in (prv, nxt)]
                self._send(200, _page(links).encode())
            elif path.startswith("/s/"):
                # A relative link against the wrong base: /s/deep/more/more/more/...
                self._send(200, _page(["more/"]).encode())
            elif path.startswith("/sess"):
                self._send(200, _page([f"/sess?sid={secrets.token_hex(16)}"]).encode())
            else:
                self._send(404, b"not found")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on us: that is the point

    def _stream_big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        sent = 0
        while sent < BIG:
            self.wfile.write(chunk)
            sent += len(chunk)

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            if self.server.owner.stopping.is_set():
                return
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.3)


def _page(links: list[str]) -> str:
    items = "".join(f'<li><a href="{h}">{h}</a></li>' for h in links)
    return (f"<!doctype html><html><head><title>Index</title></head><body><ul>{items}</ul>"
            "</body></html>")


class HostileServer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []
        self.stopping = threading.Event()
        self._servers: list[LoopbackServer] = []
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def long_url(self) -> str:
        return f"{self.base}/a/long?q=" + "x" * 3000

    ARTICLES = (
        "ok-1", "ok-2", "big", "bomb", "trickle", "loop", "hops/0", "private", "file", "lying",
        "pdf",
    )

    def feed(self) -> str:
        urls = [f"{self.base}/a/{p}" for p in self.ARTICLES] + [self.long_url()]
        items = "".join(
            f"<item><title>{i}</title><link>{u.replace('&', '&amp;')}</link></item>"
            for i, u in enumerate(urls)
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'

    def truncated_sitemap(self) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{self.base}/a/sm-1</loc></url>"
            f"<url><loc>{self.base}/a/sm-2</loc></url>"
            f"<url><loc>{self.base}/a/sm-3</lo"
        )

    def requested(self, path: str, host: str = HOST) -> bool:
        with self.lock:
            return any(h == host and p == path for h, p in self.log)

    def start(self) -> HostileServer:
        self.port, self._servers = serve_on_two_hosts(HOST, PRIVATE, _Handler, self)
        return self

    def stop(self) -> None:
        self.stopping.set()
        stop_servers(self._servers)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def sites_yaml(self) -> str:
        return f"""\
allow_private_networks: ["{HOST}/32"]
defaults: {{delay: 0, concurrency: 8}}
sites:
  - name: hostile
    domains: ["{HOST}", "{PRIVATE}"]
    feeds: ["{self.base}/feed.xml"]
    sitemaps: ["{self.base}/sitemap.xml"]
    start_urls: ["{self.base}/start/"]
    article_urls: ['/a/']
    follow_urls: ['/calendar/', '/s/', '/sess']
    max_depth: 50
    max_age_days: null
"""


class RebindingDNS:
    """A DNS server on 127.0.0.1 (UDP) that answers `first` to the first A query for a name and
    `then` to every later one, with TTL 0: the DNS-rebinding attack in miniature."""

    def __init__(self, first: str, then: str) -> None:
        self.first = first
        self.then = then
        self.queries: list[tuple[str, str]] = []  # (name, answer)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _answer(self, packet: bytes) -> bytes | None:
        if len(packet) < 12:
            return None
        i, labels = 12, []
        while i < len(packet) and packet[i]:
            n = packet[i]
            labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
            i += 1 + n
        question = packet[12:i + 5]
        qtype = int.from_bytes(packet[i + 1:i + 3], "big")
        name = ".".join(labels).lower()
        header = packet[:2] + b"\x81\x80" + b"\x00\x01"
        if qtype != 1:  # only A records here: AAAA and the rest get an empty answer
            return header + b"\x00\x00\x00\x00\x00\x00" + question
        seen = any(q == name for q, _ in self.queries)
        ip = self.then if seen else self.first
        self.queries.append((name, ip))
        answer = (b"\xc0\x0c" + b"\x00\x01\x00\x01" + b"\x00\x00\x00\x00" + b"\x00\x04"
                  + socket.inet_aton(ip))
        return header + b"\x00\x01\x00\x00\x00\x00" + question + answer

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                packet, addr = self._sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = self._answer(packet)
            if reply is not None:
                self._sock.sendto(reply, addr)

    def __enter__(self) -> RebindingDNS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


# Crawl settings that keep the hostile crawl short: small timeouts, no retries.
FAST = {
    "DOWNLOAD_TIMEOUT": 2,
    "RETRY_TIMES": 0,
    "NEWSMILL_TRAP_MAX_PER_SHAPE": 8,
}


def main() -> None:  # pragma: no cover - manual poking
    with HostileServer() as srv:
        print(srv.base, flush=True)
        print(srv.sites_yaml())
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    main()


# --- a layered bomb: a zlib-wrapped deflate layer inside a gzip layer -------------------------

_layered_cache: list[bytes] = []


def layered_bomb(size: int = BOMB) -> bytes:
    """`size` zero bytes, deflated (zlib-wrapped) and then gzipped: `Content-Encoding: deflate,
    gzip`. The outer body starts with gzip's magic, the inner layer with a zlib header."""
    with _bomb_lock:
        if not _layered_cache:
            z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
            chunk = b"\0" * (1024 * 1024)
            inner = b"".join([z.compress(chunk) for _ in range(size // len(chunk))] + [z.flush()])
            g = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            _layered_cache.append(g.compress(inner) + g.flush())
        return _layered_cache[0]


class _LayeredHandler(_Handler):
    def do_GET(self) -> None:
        if self.path == "/a/layered-bomb":
            with self.server.owner.lock:
                self.server.owner.log.append((str(self.server.server_address[0]), self.path))
            self._send(200, layered_bomb(), headers={"Content-Encoding": "deflate, gzip"})
            return
        super().do_GET()


class LayeredBombServer(HostileServer):
    """The hostile site with one more article in its feed: /a/layered-bomb."""

    ARTICLES = ("ok-1", "layered-bomb")

    def start(self) -> LayeredBombServer:
        self.port, self._servers = serve_on_two_hosts(HOST, PRIVATE, _LayeredHandler, self)
        return self
