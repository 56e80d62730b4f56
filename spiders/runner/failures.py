"""Why a request failed, in the words the crawl report and the quarantine use.

A limit cutting a request (size, time, redirects, or spiders.guards.limits' own) is a quarantine
reason, not an error of the crawl; refusals by the network guard and robots.txt have their own
counters; everything else is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError

from newsmill.spiders.guards.limits import (
    LIMIT_REDIRECTS,
    LIMIT_SIZE,
    LIMIT_TIME,
    LimitExceeded,
)
from newsmill.spiders.guards.network import RefusedOffsite, RefusedPrivate

CUT = "cut"  # a limit cut the request: quarantined with the reason
REFUSED = "refused"  # the network guard refused it (counted by the middleware)
ROBOTS = "robots"  # robots.txt disallows it (counted by Scrapy's middleware)
ERROR = "error"


@dataclass(frozen=True)
class Failed:
    kind: str  # CUT | REFUSED | ROBOTS | ERROR
    reason: str


def why_failed(exc: BaseException | None, request: Request, settings: Any) -> Failed:
    cut = _limit_reason(exc, request, settings) if exc is not None else None
    if cut is not None:
        return Failed(CUT, cut)
    if isinstance(exc, HttpError):
        return Failed(ERROR, f"HTTP {exc.response.status}")
    if isinstance(exc, RefusedOffsite | RefusedPrivate):
        return Failed(REFUSED, str(exc))
    if isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
        return Failed(ROBOTS, "disallowed by robots.txt")
    return Failed(ERROR, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _limit_reason(exc: BaseException, request: Request, settings: Any) -> str | None:
    """The quarantine reason when `exc` is a limit cutting the request, else None."""
    if isinstance(exc, LimitExceeded):
        return exc.reason
    if isinstance(exc, DownloadTimeoutError):
        timeout = request.meta.get("download_timeout") or settings.getfloat("DOWNLOAD_TIMEOUT")
        return f"{LIMIT_TIME}: not received within DOWNLOAD_TIMEOUT ({timeout:g}s)"
    if isinstance(exc, DownloadCancelledError | CancelledError):
        limit = request.meta.get("download_maxsize") or settings.getint("DOWNLOAD_MAXSIZE")
        return f"{LIMIT_SIZE}: larger than DOWNLOAD_MAXSIZE ({limit} bytes)"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "max redirections" in text:
            limit = settings.getint("REDIRECT_MAX_TIMES")
            return f"{LIMIT_REDIRECTS}: more than REDIRECT_MAX_TIMES ({limit}) redirects"
        if "DOWNLOAD_MAXSIZE" in text:  # Scrapy's decompression limit
            return f"{LIMIT_SIZE}: {text}"
    return None


def summarise(failures: list[tuple[str, str]]) -> str:
    """`reason (URL)` per distinct reason, in order: every seed often fails the same way."""
    by_reason: dict[str, list[str]] = {}
    for url, reason in failures:
        by_reason.setdefault(reason, []).append(url)
    parts = []
    for reason, urls in by_reason.items():
        more = f" and {len(urls) - 1} more" if len(urls) > 1 else ""
        parts.append(f"{reason} ({urls[0]}{more})")
    return "; ".join(parts)
