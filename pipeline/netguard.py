"""The SSRF policy, in one place: which addresses newsmill may connect to.

Private, loopback, link-local, multicast, reserved, unspecified and other non-global addresses
are refused unless inside one of the sites file's `allow_private_networks`. The crawler's
network guard (spiders.guards.network) and the archive backfills (pipeline.backfill.http, for the
CDX and replay hosts and for WARC files fetched over HTTP) both ask this module.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def address_kind(ip: IPAddress) -> str | None:
    """Why `ip` is not a public address (the first category that matches), or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_kind(ip.ipv4_mapped)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        # Shared address space (100.64/10) and other special-purpose blocks.
        return "non-global"
    return None


def refusal(ip: IPAddress, allowed: Iterable[IPNetwork]) -> str | None:
    """Why `ip` may not be contacted, or None if it may."""
    kind = address_kind(ip)
    if kind is None:
        return None
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates.append(ip.ipv4_mapped)
    for net in allowed:
        if any(c.version == net.version and c in net for c in candidates):
            return None
    return f"{ip} is a {kind} address, not in allow_private_networks"
