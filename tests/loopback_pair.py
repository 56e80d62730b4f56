"""Test web servers that answer on two loopback hosts at the same port.

The SSRF tests need a site on an allowed host (127.0.0.5, 127.0.0.6) and a listener on a
forbidden one (127.0.0.1) at the same port, so a redirect or a DNS answer that swaps the host
keeps the port and would reach it.
"""

from __future__ import annotations

import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server whose handlers reach their test site as `self.server.owner`."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], owner: Any
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no reverse DNS lookup


def serve_on_two_hosts(
    public: str, private: str, handler: type[BaseHTTPRequestHandler], owner: Any
) -> tuple[int, list[LoopbackServer]]:
    """Start `handler` on `public` and `private` at one port; a port already taken on the
    private host means another try."""
    for _ in range(20):
        first = LoopbackServer((public, 0), handler, owner)
        port = int(first.server_address[1])
        try:
            second = LoopbackServer((private, port), handler, owner)
        except OSError:
            first.server_close()
            continue
        break
    else:
        raise RuntimeError(f"no port free on both {public} and {private}")
    servers = [first, second]
    for srv in servers:
        threading.Thread(
            target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        ).start()
    return port, servers


def stop_servers(servers: list[LoopbackServer]) -> None:
    for srv in servers:
        srv.shutdown()
        srv.server_close()
