"""A loopback news site serving a folder of saved pages, with a sitemap listing every page.

Pages stay gzip-compressed in memory and go out with `Content-Encoding: gzip`, as a real site
serves them; `copies` serves each page again under other URLs (`/c<k>/...`), so the crawl grows
tenfold with the same pages. Every sitemap entry is dated today: inside any crawl window.
"""

from __future__ import annotations

import gzip
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ARTICLE_PATTERN = r"/c\d+/[^/]+\.html$"


def load_pages(folders: list[Path], limit: int | None = None) -> dict[str, bytes]:
    """name -> gzip bytes, for every *.html.gz (or *.html) in the folders, in name order."""
    pages: dict[str, bytes] = {}
    for folder in folders:
        tag = folder.parent.name if folder.name == "html" else folder.name
        for path in sorted(folder.glob("*.html*")):
            data = path.read_bytes()
            if not path.name.endswith(".gz"):
                data = gzip.compress(data)
            stem = path.name.split(".html")[0]
            pages[f"{tag}-{stem}"] = data
    if limit:
        pages = dict(list(pages.items())[:limit])
    return pages


class PagesSite:
    def __init__(self, pages: dict[str, bytes], copies: int = 1, host: str = "127.0.0.1"):
        self.pages = pages
        self.copies = copies
        self.host = host
        self.sitemap_bytes = b""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self._server is not None, "not started"
        return f"http://{self.host}:{self._server.server_address[1]}"

    def urls(self) -> list[str]:
        return [f"{self.base}/c{k}/{name}.html" for k in range(self.copies) for name in self.pages]

    def sitemap(self) -> bytes:
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        entries = "".join(
            f"<url><loc>{escape(u)}</loc><lastmod>{today}</lastmod></url>\n" for u in self.urls()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n"
        ).encode()

    def sites_yaml(self, concurrency: int = 16) -> str:
        # Enough requests for every page and copy; no delay, no robots: the machine's limit.
        return f"""allow_private_networks: ['127.0.0.0/8']
sites:
  - name: bench
    domains: ['{self.host}']
    sitemaps: ['{self.base}/sitemap.xml']
    article_urls: ['{ARTICLE_PATTERN}']
    delay: 0.0
    concurrency: {concurrency}
    obey_robots: false
    max_age_days: null
    max_requests: {len(self.pages) * self.copies + 100}
"""

    def __enter__(self) -> PagesSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            # Persistent connections, as news sites serve: an HTTP/1.0 server made the crawl
            # open and close a TCP connection per page.
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
                body, gz = site._answer(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml" if not gz else "text/html")
                if gz:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass  # thousands of requests: the bench prints its own figures

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self.sitemap_bytes = self.sitemap()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def _answer(self, path: str) -> tuple[bytes | None, bool]:
        if path == "/sitemap.xml":
            return self.sitemap_bytes, False
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0].startswith("c") and parts[1].endswith(".html"):
            return self.pages.get(parts[1][: -len(".html")]), True
        return None, False

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
