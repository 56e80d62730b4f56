"""The off-domain host: a partner site the Gazette links to, which a crawler must not enter."""

from __future__ import annotations

from newsmill.pipeline.demo.markup import esc
from newsmill.pipeline.demo.model import Response


def respond(path: str) -> Response:
    if path == "/robots.txt":
        return Response(200, b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Coastwise partner content</title></head>
<body><h1>Coastwise</h1><p>Tide tables and coastal forecasts. You asked for {esc(path)}.</p>
<p>This host belongs to a different organisation from the newspapers that link to it.</p></body>
</html>
"""
    return Response(200, page.encode(), "text/html; charset=utf-8")
