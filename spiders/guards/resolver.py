"""Name resolution that only ever hands Twisted addresses the SSRF policy allows.

The network guard middleware refuses a request early, with a clear reason and a count, but a
check made before the request is not the connection: a DNS answer can change between the two
(rebinding with a short TTL). So the reactor's resolver is replaced as well (Scrapy's
TWISTED_DNS_RESOLVER setting): every name Twisted connects to, robots.txt and redirect targets
included, is resolved here and the answer is filtered against the policy before Twisted sees it.
An address the policy refuses is never returned, so it can never be connected to; a name with
no allowed address fails like a name that does not exist (DNSLookupError).

IP-literal hosts never reach a resolver (Twisted connects to them directly), so the middleware's
check of a literal is the check: a literal cannot change between check and connection.

`NEWSMILL_DNS_SERVERS` (["host:port", ...]) sends queries to those DNS servers instead of the
system's getaddrinfo: for intranets with their own DNS, and for tests with a rebinding server.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from twisted.internet import defer
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from newsmill.pipeline.netguard import IPAddress, IPNetwork, refusal
from newsmill.spiders import settings as S

if TYPE_CHECKING:
    from typing import Self

log = logging.getLogger(__name__)



# --- the policy ----------------------------------------------------------------------------------


class AddressPolicy:
    """Public addresses, plus the sites file's `allow_private_networks` (the rules themselves
    are pipeline.netguard's, shared with the archive backfills)."""

    def __init__(self, allowed: Iterable[IPNetwork | str] = ()):
        self.allowed: list[IPNetwork] = [
            n if not isinstance(n, str) else ipaddress.ip_network(n, strict=False)
            for n in allowed
        ]

    @classmethod
    def from_settings(cls, settings: Any) -> AddressPolicy:
        return cls(str(n) for n in settings.getlist(S.ALLOW_PRIVATE_NETWORKS))

    def refusal(self, ip: IPAddress) -> str | None:
        """Why `ip` may not be contacted, or None if it may."""
        return refusal(ip, self.allowed)


def literal(host: str) -> IPAddress | None:
    """The address if `host` is an IP literal (brackets and IPv6 zone ids tolerated)."""
    host = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class Vetted:
    """One name's answer, split by the policy."""

    def __init__(self, allowed: list[IPAddress], refused: list[tuple[IPAddress, str]]):
        self.allowed = allowed
        self.refused = refused
        self.at = time.monotonic()

    @property
    def reason(self) -> str:
        """Why nothing may be contacted (the first refusal)."""
        return self.refused[0][1] if self.refused else "no address"


# --- the resolver --------------------------------------------------------------------------------


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:
        # Lookups run to completion in a thread; the connection attempt just stops waiting.
        pass


@implementer(IHostnameResolver)
class GuardedResolver:
    """An IHostnameResolver (IPv4 and IPv6) whose answers contain only allowed addresses.

    Answers are cached for NEWSMILL_DNS_CACHE_TTL seconds (at most DNSCACHE_SIZE names), already
    filtered: the middleware's early check and the connection then see the same vetted answer.
    """

    # The one installed on the reactor; the network guard middleware asks it directly.
    installed: GuardedResolver | None = None

    def __init__(
        self,
        reactor: Any,
        policy: AddressPolicy,
        *,
        timeout: float = 10.0,
        cache_size: int = 10_000,
        cache_ttl: float = 300.0,
        servers: Sequence[tuple[str, int]] = (),
    ):
        self.reactor = reactor
        self.policy = policy
        self.timeout = timeout
        self.cache_size = cache_size
        self.cache_ttl = cache_ttl
        self._cache: dict[str, Vetted] = {}
        self._dns: Any = None
        if servers:
            from twisted.names import client

            # Just these servers: no /etc/hosts, no resolv.conf, no cache of its own.
            self._dns = client.Resolver(servers=list(servers), reactor=reactor)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        # Scrapy builds the resolver from the process's settings (shared by every site of the
        # run), which is where allow_private_networks lives.
        settings = crawler.settings
        servers = []
        for item in settings.getlist(S.DNS_SERVERS):
            host, _, port = str(item).rpartition(":")
            servers.append((host or str(item), int(port) if host else 53))
        cache = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor,
            AddressPolicy.from_settings(settings),
            timeout=settings.getfloat("DNS_TIMEOUT", 10.0),
            cache_size=cache,
            cache_ttl=settings.getfloat(S.DNS_CACHE_TTL, 300.0),
            servers=servers,
        )

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)
        GuardedResolver.installed = self

    # --- lookups ---------------------------------------------------------------------------------

    def _getaddrinfo(self, name: str) -> list[str]:
        infos = socket.getaddrinfo(name, None, 0, socket.SOCK_STREAM)
        return [str(info[4][0]) for info in infos]

    def _query(self, name: str) -> defer.Deferred[list[str]]:
        if self._dns is not None:
            d = self._dns.lookupAddress(name)

            def answers(result: Any) -> list[str]:
                records = result[0]
                return [r.payload.dottedQuad() for r in records if r.type == 1]

            return d.addCallback(answers)
        return deferToThreadPool(self.reactor, self.reactor.getThreadPool(),
                                 self._getaddrinfo, name)

    def vet(self, name: str) -> defer.Deferred[Vetted]:
        """`name`'s answer split into allowed and refused addresses (cached)."""
        ip = literal(name)
        if ip is not None:
            reason = self.policy.refusal(ip)
            return defer.succeed(Vetted([] if reason else [ip], [(ip, reason)] if reason else []))
        key = name.lower().rstrip(".")
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit.at < self.cache_ttl:
            return defer.succeed(hit)
        d = self._query(key)
        if self.timeout:
            d.addTimeout(self.timeout, self.reactor)

        def split(addresses: list[str]) -> Vetted:
            allowed: list[IPAddress] = []
            refused: list[tuple[IPAddress, str]] = []
            for text in dict.fromkeys(addresses):  # getaddrinfo repeats per protocol
                addr = literal(text)
                if addr is None:
                    continue
                reason = self.policy.refusal(addr)
                if reason is None:
                    allowed.append(addr)
                else:
                    refused.append((addr, reason))
            if refused:
                log.info("resolver: %s -> refused %s%s", key,
                         ", ".join(str(a) for a, _ in refused),
                         f"; allowed {', '.join(map(str, allowed))}" if allowed else "")
            vetted = Vetted(allowed, refused)
            if self.cache_size:
                if len(self._cache) >= self.cache_size:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = vetted
            return vetted

        return d.addCallback(split)

    def resolveHostName(  # noqa: N802 - Twisted's interface
        self,
        resolutionReceiver: IResolutionReceiver,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type[IAddress]] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> IHostResolution:
        resolution: Any = _Resolution(hostName)
        # zope interfaces type their methods without `self`: mypy cannot call them as declared.
        receiver: Any = resolutionReceiver
        receiver.resolutionBegan(resolution)
        want4 = addressTypes is None or IPv4Address in addressTypes
        want6 = addressTypes is None or IPv6Address in addressTypes

        def deliver(vetted: Vetted) -> None:
            for ip in vetted.allowed:
                if ip.version == 4 and want4:
                    receiver.addressResolved(IPv4Address("TCP", str(ip), portNumber))
                elif ip.version == 6 and want6:
                    receiver.addressResolved(IPv6Address("TCP", str(ip), portNumber))
            if not vetted.allowed and vetted.refused:
                log.warning("resolver: not connecting to %s: %s", hostName, vetted.reason)
            receiver.resolutionComplete()

        def failed(failure: Any) -> None:
            log.debug("resolver: %s did not resolve: %s", hostName, failure.getErrorMessage())
            receiver.resolutionComplete()

        self.vet(hostName).addCallbacks(deliver, failed)
        return resolution


async def vet_host(name: str) -> Vetted:
    """The installed resolver's verdict on `name` (for the middleware's early check)."""
    from scrapy.utils.defer import maybe_deferred_to_future

    resolver = GuardedResolver.installed
    if resolver is None:
        raise DNSLookupError(f"{name}: the guarded resolver is not installed")
    return await maybe_deferred_to_future(resolver.vet(name))
