"""A local stand-in for the Wayback Machine: a CDX server and `id_` replay, on loopback.

It answers the way web.archive.org does, for what newsmill asks:

- `GET /cdx/search/cdx?url=HOST/*&output=json&from=YYYYMMDD&to=YYYYMMDD&filter=statuscode:200
  &filter=mimetype:text/html&collapse=urlkey&fl=...&limit=N&showResumeKey=true[&resumeKey=K]`:
  a JSON array whose first row is the field names; rows sorted by urlkey then timestamp;
  `collapse=urlkey` keeps the first capture of each urlkey; `filter` is `[!]field:regex`; `from`
  and `to` are timestamp prefixes (`to` inclusive of everything it prefixes); with
  `showResumeKey=true` a page cut short by `limit` ends with `[]` and `[resume key]`. Like the
  real server it caps `limit` (here at MAX_LIMIT rows), so paging always happens.
- `GET /web/<timestamp>id_/<original URL>`: the captured bytes, with the original Content-Type
  and the other original headers as `X-Archive-Orig-*`; a timestamp with no capture of that URL
  redirects (302) to the nearest one, as the real replay does.

URL matching ignores the port (the demo sites live on loopback ports; archived sites do not).
Each capture can be told to misbehave on replay: `404` (the archive lost it), `503` (always
failing) or `flaky` (503 once, then served).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MAX_LIMIT = 3
FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


@dataclass
class Capture:
    timestamp: str  # 14 digits
    original: str
    body: bytes = b""
    mimetype: str = "text/html"
    statuscode: str = "200"
    replay: str = "ok"  # ok | 404 | 503 | flaky

    @property
    def urlkey(self) -> str:
        parts = urlsplit(self.original)
        host = (parts.hostname or "").lower().removeprefix("www.")
        path = parts.path or "/"
        return ",".join(reversed(host.split("."))) + ")" + path.lower() + (
            f"?{parts.query}" if parts.query else "")

    @property
    def digest(self) -> str:
        return base64.b32encode(self.body[:20].ljust(20, b"\0")).decode()


class FakeWayback:
    def __init__(self, captures: list[Capture]):
        self.captures = captures
        self.requests: list[str] = []
        self.started: list[float] = []  # time.monotonic() of each request, for politeness
        self._failed_once: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeWayback:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                with fake._lock:
                    fake.requests.append(self.path)
                    fake.started.append(time.monotonic())
                status, headers, body = fake.respond(self.path)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def cdx_url(self) -> str:
        return self.base + "/cdx/search/cdx"

    @property
    def replay_url(self) -> str:
        return self.base + "/web/"

    def cdx_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/cdx/")]

    def replay_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/web/")]

    # --- answers ------------------------------------------------------------------------------

    def respond(self, path: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(path)
        if parts.path == "/cdx/search/cdx":
            return self.cdx(parse_qsl(parts.query))
        m = re.match(r"^/web/(\d{1,14})id_/(.+)$", path)
        if m:
            return self.replay(m[1], m[2])
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def cdx(self, query: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
        q: dict[str, list[str]] = {}
        for k, v in query:
            q.setdefault(k, []).append(v)
        url = q.get("url", [""])[0]
        if not url:
            return 400, {"Content-Type": "text/plain"}, b"url param missing"
        host = urlsplit("http://" + url.split("://")[-1]).hostname or ""
        prefix = url.split("/", 1)[1].rstrip("*") if "/" in url else ""
        first = q.get("from", [""])[0]
        last = q.get("to", [""])[0]
        rows = []
        for c in sorted(self.captures, key=lambda c: (c.urlkey, c.timestamp)):
            p = urlsplit(c.original)
            if (p.hostname or "") != host or not (p.path or "/").lstrip("/").startswith(
                    prefix.lstrip("/")):
                continue
            if first and c.timestamp < first.ljust(14, "0"):
                continue
            if last and c.timestamp[: len(last)] > last:
                continue
            row = {"urlkey": c.urlkey, "timestamp": c.timestamp, "original": c.original,
                   "mimetype": c.mimetype, "statuscode": c.statuscode, "digest": c.digest,
                   "length": str(len(c.body))}
            if all(_passes(row, f) for f in q.get("filter", [])):
                rows.append(row)
        if "urlkey" in q.get("collapse", []):
            seen: set[str] = set()
            rows = [r for r in rows if not (r["urlkey"] in seen or seen.add(r["urlkey"]))]
        resume = q.get("resumeKey", [""])[0]
        if resume:
            after = base64.urlsafe_b64decode(resume.encode()).decode()
            rows = [r for r in rows if f"{r['urlkey']} {r['timestamp']}" > after]
        limit = min(int(q.get("limit", [str(MAX_LIMIT)])[0]), MAX_LIMIT)
        more = len(rows) > limit
        rows = rows[:limit]
        fl = q.get("fl", [",".join(FIELDS)])[0].split(",")
        out: list[list[str]] = [fl] + [[r[f] for f in fl] for r in rows]
        if more and q.get("showResumeKey", ["false"])[0] == "true":
            key = f"{rows[-1]['urlkey']} {rows[-1]['timestamp']}"
            out += [[], [base64.urlsafe_b64encode(key.encode()).decode()]]
        if len(out) == 1:
            return 200, {"Content-Type": "application/json"}, b""  # nothing matched
        return 200, {"Content-Type": "application/json"}, json.dumps(out).encode()

    def replay(self, timestamp: str, original: str) -> tuple[int, dict[str, str], bytes]:
        same = [c for c in self.captures if c.original == original]
        if not same:
            return 404, {"Content-Type": "text/html"}, b"<html>Wayback Machine has not "\
                b"archived that URL.</html>"
        exact = [c for c in same if c.timestamp == timestamp]
        if not exact:
            nearest = min(same, key=lambda c: abs(int(c.timestamp) - int(timestamp.ljust(14, "0"))))
            return 302, {"Location": f"/web/{nearest.timestamp}id_/{original}"}, b""
        cap = exact[0]
        if cap.replay == "404":
            return 404, {"Content-Type": "text/html"}, b"<html>Not in archive</html>"
        if cap.replay == "503" or (cap.replay == "flaky" and self._first_failure(cap)):
            return 503, {"Content-Type": "text/html", "Retry-After": "0"}, b"<html>busy</html>"
        headers = {
            "Content-Type": "text/html; charset=utf-8",
            "X-Archive-Orig-Server": "nginx/1.24.0",
            "Memento-Datetime": cap.timestamp,
        }
        return 200, headers, cap.body

    def _first_failure(self, cap: Capture) -> bool:
        with self._lock:
            key = cap.timestamp + cap.original
            if key in self._failed_once:
                return False
            self._failed_once.add(key)
            return True


def _passes(row: dict[str, str], spec: str) -> bool:
    negate = spec.startswith("!")
    name, _, pattern = spec.lstrip("!").partition(":")
    matched = re.fullmatch(pattern, row.get(name, "")) is not None
    return matched != negate
