"""Families of URLs that grow from one another: /list/a -> /list/a/b -> /list/a/b/c.

A listing page that links to longer versions of its own URL makes a space without end that no
shape rule sees, since every step has a new shape. What gives it away is ancestry: each URL
extends one requested before it. `UrlFamilies` measures that ancestry so the crawl can stop a
family that keeps growing while real section trees, which are a few levels deep, pass.

A URL extends another of the same host when the other's path segments are a leading run of its
own (the site's root excepted: every URL would extend the home page) and the other's query
parameters are among its own, the two not being the same URL. Its growth is one more than the
largest growth among the recorded URLs it extends, or 1 when it extends none.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Growth:
    level: int  # 1: extends no recorded URL
    parent: str | None  # the recorded URL it extends at the highest level


def _parts(url: str) -> tuple[str, tuple[str, ...], frozenset[str]]:
    split = urlsplit(url)
    segments = tuple(s for s in split.path.split("/") if s)
    params = frozenset(
        f"{k}={v}" for k, v in parse_qsl(split.query, keep_blank_values=True)
    )
    return (split.hostname or "").lower(), segments, params


class UrlFamilies:
    """Growth levels of the URLs recorded so far (one instance per site and run)."""

    def __init__(self) -> None:
        # (host, segments) -> [(params, level, url)] of recorded URLs with exactly that path.
        self._by_path: dict[tuple[str, tuple[str, ...]], list[tuple[frozenset[str], int, str]]]
        self._by_path = {}

    def growth(self, url: str) -> Growth:
        host, segments, params = _parts(url)
        best = Growth(1, None)
        # Prefixes of at least one segment: the root only counts as its own ancestor, for
        # query strings growing on the home page.
        first = 1 if segments else 0
        for n in range(first, len(segments) + 1):
            for seen_params, level, seen_url in self._by_path.get((host, segments[:n]), ()):
                same = n == len(segments) and seen_params == params
                if not same and seen_params <= params and level + 1 > best.level:
                    best = Growth(level + 1, seen_url)
        return best

    def record(self, url: str, level: int) -> None:
        host, segments, params = _parts(url)
        entries = self._by_path.setdefault((host, segments), [])
        if not any(p == params for p, _, _ in entries):
            entries.append((params, level, url))
