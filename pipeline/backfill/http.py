"""The guarded HTTP client of the archive backfills (CDX, replays, WARC files over http(s)).

urllib3 with three things added: the network guard on every connection (each redirect hop
included: the address a host resolves to is checked, then that very address is connected to,
so a DNS answer that changes after the check cannot slip through), the site's politeness (a
minimum gap between the starts of requests, retries and redirect hops included, and a bound on
parallel requests), and retries with backoff on 5xx, 429 and connection errors through
urllib3's own `Retry`, honouring Retry-After up to RETRY_AFTER_MAX seconds.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

from newsmill.pipeline.netguard import IPAddress, IPNetwork, refusal

log = logging.getLogger(__name__)

RETRIES = 3
TIMEOUT = 60.0
MAX_REDIRECTS = 10
RETRY_AFTER_MAX = 60.0  # a server asking for an hour's pause does not stall the backfill
MAX_BODY = 20_000_000  # the extractor refuses larger pages anyway; do not hold more
_RETRY_STATUSES = frozenset({429, *range(500, 600)})


class Refused(Exception):
    """The host is, or resolves to, an address the sites file does not allow (SSRF guard)."""


class FetchError(Exception):
    """No usable answer after the retries (network errors, timeouts, too many redirects)."""


class NetworkGuard:
    """Resolves a host, refuses non-public addresses outside `allowed`, connects to what it
    checked."""

    def __init__(self, allowed: Iterable[str] = ()):
        self.allowed: list[IPNetwork] = [ipaddress.ip_network(n, strict=False) for n in allowed]

    def refusal(self, ip: IPAddress) -> str | None:
        return refusal(ip, self.allowed)

    def create_connection(
        self, address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        host, port = address
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        for *_, sockaddr in infos:
            reason = self.refusal(ipaddress.ip_address(sockaddr[0]))
            if reason:
                raise Refused(f"refused {host}: {reason}")
        last: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not None and timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                last = exc
                sock.close()
        raise last or OSError(f"cannot connect to {host}:{port}")


class Pacer:
    """A minimum gap between request starts, shared by every thread of one client."""

    def __init__(self, delay: float):
        self.delay = delay
        self._lock = threading.Lock()
        self._next_start = 0.0

    def wait_turn(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            time.sleep(start - now)


class _Retry(Retry):
    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), RETRY_AFTER_MAX)

    def sleep_for_retry(self, response: urllib3.BaseHTTPResponse) -> bool:
        # urllib3 falls back to its backoff on `Retry-After: 0`; the server said "now".
        retry_after = self.get_retry_after(response)
        if retry_after is None:
            return False
        time.sleep(max(0.0, retry_after))
        return True


def _pool_manager(guard: NetworkGuard, pacer: Pacer, size: int) -> urllib3.PoolManager:
    """A pool manager whose connections come from the guard and wait the pacer's turn before
    each request they send. urllib3 makes its socket in `_new_conn` and sends each request
    (first try, retry or redirect hop) through `request`, so these are the two places."""

    class Guarded:
        def _new_conn(self: Any) -> socket.socket:
            return guard.create_connection((self._dns_host, self.port), self.timeout,
                                           self.source_address)

        def request(self: Any, *args: Any, **kwargs: Any) -> None:
            pacer.wait_turn()
            super().request(*args, **kwargs)  # type: ignore[misc]

    class Conn(Guarded, HTTPConnection):
        pass

    class SConn(Guarded, HTTPSConnection):
        pass

    class Pool(HTTPConnectionPool):
        ConnectionCls = Conn

    class SPool(HTTPSConnectionPool):
        ConnectionCls = SConn

    # No proxies (urllib3 reads none from the environment): the guard must see the real
    # destination.
    manager = urllib3.PoolManager(num_pools=16, maxsize=size)
    manager.pool_classes_by_scheme = {"http": Pool, "https": SPool}
    return manager


class HTTPClient:
    """See the module docstring. Responses are raw bytes: Content-Encoding is kept, as the
    archive keeps it."""

    def __init__(
        self,
        guard: NetworkGuard,
        *,
        user_agent: str,
        delay: float = 0.0,
        concurrency: int = 1,
        retries: int = RETRIES,
        backoff: float = 1.0,
        timeout: float = TIMEOUT,
    ):
        self.user_agent = user_agent
        self.pacer = Pacer(delay)
        self.retry = _Retry(
            total=None, connect=retries, read=retries, status=retries, other=retries,
            redirect=MAX_REDIRECTS, status_forcelist=_RETRY_STATUSES, backoff_factor=backoff,
            raise_on_status=False, raise_on_redirect=False, respect_retry_after_header=True,
        )
        self.timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._pool = _pool_manager(guard, self.pacer, max(1, concurrency) + 1)

    def open(self, url: str, headers: dict[str, str] | None = None) -> urllib3.BaseHTTPResponse:
        """The response, not read yet (any status: after the retries, the last answer). The
        caller reads and closes it. Raises Refused or FetchError."""
        try:
            resp = self._pool.request(
                "GET", url, headers={"User-Agent": self.user_agent, **(headers or {})},
                retries=self.retry, timeout=self.timeout, preload_content=False,
                decode_content=False,
            )
        except (HTTPError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise FetchError(f"fetch of {url} failed: {reason}") from exc
        if resp.retries is not None and resp.retries.history:
            log.info("fetch of %s: %d retries or redirects (%s)", url,
                     len(resp.retries.history),
                     ", ".join(str(h.status or h.error) for h in resp.retries.history))
        return resp

    def get(self, url: str, headers: dict[str, str] | None = None,
            max_bytes: int = MAX_BODY) -> tuple[int, dict[str, str], bytes, str]:
        """(status, headers, body, final URL); at most `max_bytes` + 1 bytes of body are read."""
        with self._slots:
            resp = self.open(url, headers)
            whole = False
            try:
                body = resp.read(max_bytes + 1)
                whole = len(body) <= max_bytes
                return resp.status, dict(resp.headers.items()), body, resp.url or url
            except (HTTPError, OSError) as exc:
                raise FetchError(f"reading {url} failed: {exc}") from exc
            finally:
                if not whole:
                    resp.close()  # unread bytes left: the connection cannot be reused
                resp.release_conn()

    def close(self) -> None:
        """Close the pooled keep-alive connections."""
        self._pool.clear()
