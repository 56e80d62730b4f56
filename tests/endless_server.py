"""A news site on loopback (127.0.0.9) whose listings never end, beside a few real articles.

The home page links to three articles (/a/story-1..3) and into two endless families; a third
endless space starts at /topic/start. None repeats a path segment or a URL shape, so only
bounds on the run itself can stop them:

- /list/...   every listing links to two new URLs one segment longer than its own
              (/list/qx -> /list/qx/ab, /list/qx/cd -> ...): a family growing from itself;
- /more?...   every listing links to two URLs whose query string is its own plus one more
              parameter: a query string growing without end;
- /topic/...  every topic page links to two new topics at the same depth: no family, no
              shared shape, an endless space only a per-run page budget stops.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback_pair import LoopbackServer

HOST = "127.0.0.9"
ARTICLES = ("story-1", "story-2", "story-3")


def token(seed: str) -> str:
    """Five letters derived from `seed`: new names at every step, and no digits, which the
    trap guard's shapes would fold together."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(chr(ord("a") + b % 26) for b in digest[:5])


_STORIES = {
    1: ("Ferry timetable cut for the winter",
        "The island ferry will sail twice a day instead of five times from November, the "
        "operator said, blaming fuel costs and a shortage of qualified deck crew."),
    2: ("Library reopens after roof repairs",
        "Readers queued along the high street on Saturday as the central library opened its "
        "doors again, eighteen months after a storm tore away part of the slate roof."),
    3: ("Allotment waiting list passes four hundred",
        "Gardeners hoping for a plot on the council's allotments now face a wait of up to "
        "nine years, according to figures released to the parish council this week."),
}


def story_html(n: int) -> bytes:
    title, lead = _STORIES[n]
    more = "".join(
        f"<p>{lead} Residents quoted in part {i} of the report gave their own account of what "
        f"the change means for them, and officials promised an update in spring.</p>"
        for i in range(1, 6)
    )
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}'
            f'</title></head><body><article><h1>{title}</h1><p class="byline">By Sam Writer'
            f"</p><p>{lead}</p>{more}</article></body></html>").encode()


def _page(title: str, links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{h}">{h}</a></li>' for h in links)
    return (f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<ul>{items}</ul></body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send(self, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8"
              ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        site: EndlessServer = self.server.owner
        with site.lock:
            site.log.append(self.path)
        path, _, query = self.path.partition("?")
        try:
            if path == "/robots.txt":
                self._send(b"User-agent: *\nAllow: /\n", ctype="text/plain")
            elif path == "/":
                links = [f"/a/{a}" for a in ARTICLES]
                links += ["/list/start", "/more?from=home"]
                self._send(_page("Home", links))
            elif path.startswith("/a/story-"):
                self._send(story_html(int(path.rsplit("-", 1)[1])))
            elif path.startswith("/list/"):
                self._send(_page("List", [f"{path}/{token(path + s)}" for s in "lr"]))
            elif path == "/more":
                links = [f"/more?{query}&{token(query + s)}={s}" for s in "lr"]
                self._send(_page("More", links))
            elif path.startswith("/topic/"):
                self._send(_page("Topic", [f"/topic/{token(path + s)}" for s in "lr"]))
            else:
                self._send(b"not found", status=404)
        except (BrokenPipeError, ConnectionResetError):
            pass


class EndlessServer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[str] = []  # request paths, in order
        self.port = 0
        self._server: LoopbackServer | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def paths(self, prefix: str) -> list[str]:
        with self.lock:
            return [p for p in self.log if p.startswith(prefix)]

    def start(self) -> EndlessServer:
        self._server = LoopbackServer((HOST, 0), _Handler, self)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> EndlessServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def sites_yaml(self, start: tuple[str, ...] = ("/",), **extra: int) -> str:
        """The sites file: a depth no real site needs, and no bound of its own unless given."""
        more = "".join(f"    {k}: {v}\n" for k, v in extra.items())
        starts = ", ".join(f'"{self.base}{p}"' for p in start)
        return f"""\
allow_private_networks: ["{HOST}/32"]
defaults: {{delay: 0, concurrency: 4}}
sites:
  - name: endless
    domains: ["{HOST}"]
    start_urls: [{starts}]
    article_urls: ['/a/story-']
    follow_urls: ['/list/', '/more', '/topic/']
    max_depth: 10000
    max_age_days: null
{more}"""
