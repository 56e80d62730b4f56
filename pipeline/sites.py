"""The sites file: which sites to crawl and how. Validated fully before any request is made."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

SITE_NAME = re.compile(r"^[a-z0-9_-]+$")
DEFAULT_USER_AGENT = "newsmill (+https://example.org/newsmill)"

# Bounds every crawl of a site keeps per run (spiders.guards.bounds); a site may change them, never
# remove them, so a site that turns into an endless URL space still ends its run in minutes.
DEFAULT_MAX_REQUESTS = 5000
DEFAULT_MAX_SECTION_PAGES = 200
DEFAULT_MAX_PATH_SEGMENTS = 16
DEFAULT_MAX_URL_GROWTH = 6


class SitesFileError(ValueError):
    """A sites file that cannot be used; the message names the file, the site and the key."""

    def __init__(self, path: str, message: str, site: str | None = None, key: str | None = None):
        where = path
        if site is not None:
            where += f": site {site!r}"
        if key is not None:
            where += f": key {key!r}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.site = site
        self.key = key


@dataclass(frozen=True)
class Site:
    name: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    article_urls: tuple[str, ...] = ()
    follow_urls: tuple[str, ...] = ()
    max_depth: int = 2
    language: str | None = None
    max_age_days: int | None = 30
    delay: float = 1.0
    concurrency: int = 2
    obey_robots: bool = True
    user_agent: str = DEFAULT_USER_AGENT
    max_pages: int | None = None
    max_requests: int = DEFAULT_MAX_REQUESTS
    max_section_pages: int = DEFAULT_MAX_SECTION_PAGES
    max_path_segments: int = DEFAULT_MAX_PATH_SEGMENTS
    max_url_growth: int = DEFAULT_MAX_URL_GROWTH
    # Skip (quarantine) pages whose text-and-data-mining rights the publisher reserves
    # (TDM Reservation Protocol: tdmrep.json, headers, meta tags; spiders.guards.tdm).
    respect_tdm_reservation: bool = False

    def is_article_url(self, url: str) -> bool:
        if not self.article_urls:
            # No patterns: every page that is not a section page to follow is an article.
            return not self.is_follow_url(url)
        return any(re.search(p, url) for p in self.article_urls)

    def is_follow_url(self, url: str) -> bool:
        return any(re.search(p, url) for p in self.follow_urls)

    def owns_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.domains

    def describe(self) -> list[str]:
        lines = [f"{self.name}: domains {', '.join(self.domains)}"]
        for label, values in (
            ("feeds", self.feeds),
            ("sitemaps", self.sitemaps),
            ("start pages", self.start_urls),
        ):
            for v in values:
                lines.append(f"  {label}: {v}")
        lines.append(f"  articles: {' | '.join(self.article_urls) or '(every page)'}")
        if self.start_urls:
            follow = " | ".join(self.follow_urls) or "(none)"
            lines.append(f"  follows: {follow} up to depth {self.max_depth}")
        age = f"{self.max_age_days} days" if self.max_age_days is not None else "unlimited"
        lines.append(
            f"  politeness: delay {self.delay}s, concurrency {self.concurrency}, "
            f"robots.txt {'obeyed' if self.obey_robots else 'ignored'}; max age {age}"
        )
        if self.respect_tdm_reservation:
            lines.append("  TDM reservation respected: reserved pages are skipped")
        lines.append(
            f"  bounds per run: {self.max_requests} requests, {self.max_section_pages} section "
            f"pages, {self.max_path_segments} path segments, URL growth {self.max_url_growth}"
        )
        return lines


@dataclass(frozen=True)
class SitesFile:
    path: str
    sites: tuple[Site, ...]
    allow_private_networks: tuple[str, ...] = field(default_factory=tuple)

    def site(self, name: str) -> Site:
        for s in self.sites:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sites)
        raise SitesFileError(self.path, f"no such site (known: {known})", site=name)

    def select(self, names: list[str] | None) -> list[Site]:
        if not names:
            return list(self.sites)
        return [self.site(n) for n in names]


_LIST_KEYS = ("domains", "feeds", "sitemaps", "start_urls", "article_urls", "follow_urls")
_SITE_KEYS = {
    "name",
    *_LIST_KEYS,
    "max_depth",
    "language",
    "max_age_days",
    "delay",
    "concurrency",
    "obey_robots",
    "user_agent",
    "max_pages",
    "max_requests",
    "max_section_pages",
    "max_path_segments",
    "max_url_growth",
    "respect_tdm_reservation",
}
_DEFAULT_KEYS = _SITE_KEYS - {"name", "domains", "feeds", "sitemaps", "start_urls"}
_TOP_KEYS = {"allow_private_networks", "defaults", "sites"}


def load_sites(path: str | Path) -> SitesFile:
    p = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SitesFileError(p, f"cannot read: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise SitesFileError(p, f"not valid YAML{where}") from exc
    return parse_sites(data, p)


def parse_sites(data: Any, path: str = "<sites>") -> SitesFile:
    if not isinstance(data, dict):
        raise SitesFileError(path, "must be a mapping with a 'sites' list")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise SitesFileError(path, "unknown key", key=sorted(unknown)[0])
    nets = data.get("allow_private_networks") or []
    if not isinstance(nets, list):
        raise SitesFileError(path, "must be a list of CIDRs", key="allow_private_networks")
    for net in nets:
        try:
            ipaddress.ip_network(str(net), strict=False)
        except ValueError as exc:
            raise SitesFileError(
                path, f"not a network: {net!r}", key="allow_private_networks"
            ) from exc
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise SitesFileError(path, "must be a mapping", key="defaults")
    bad = set(defaults) - _DEFAULT_KEYS
    if bad:
        raise SitesFileError(path, "unknown key in defaults", key=sorted(bad)[0])
    raw_sites = data.get("sites")
    if not isinstance(raw_sites, list) or not raw_sites:
        raise SitesFileError(path, "must be a non-empty list", key="sites")
    sites: list[Site] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_sites):
        site = _parse_site(raw, defaults, path, i)
        if site.name in seen:
            raise SitesFileError(path, "duplicate site name", site=site.name, key="name")
        seen.add(site.name)
        sites.append(site)
    return SitesFile(path=path, sites=tuple(sites), allow_private_networks=tuple(map(str, nets)))


def _parse_site(raw: Any, defaults: dict[str, Any], path: str, index: int) -> Site:
    label = f"#{index + 1}"
    if not isinstance(raw, dict):
        raise SitesFileError(path, "must be a mapping", site=label)
    name = raw.get("name")
    if name is None:
        raise SitesFileError(path, "missing required key", site=label, key="name")
    if not isinstance(name, str) or not SITE_NAME.match(name):
        raise SitesFileError(path, "must match [a-z0-9_-]+", site=str(name), key="name")
    unknown = set(raw) - _SITE_KEYS
    if unknown:
        raise SitesFileError(path, "unknown key", site=name, key=sorted(unknown)[0])
    merged: dict[str, Any] = {**defaults, **raw}

    def err(key: str, msg: str) -> SitesFileError:
        return SitesFileError(path, msg, site=name, key=key)

    lists: dict[str, tuple[str, ...]] = {}
    for key in _LIST_KEYS:
        value = merged.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise err(key, "must be a list of strings")
        lists[key] = tuple(value)
    if not lists["domains"]:
        raise err("domains", "missing required key")
    domains = tuple(d.lower().rstrip(".") for d in lists["domains"])
    if not (lists["feeds"] or lists["sitemaps"] or lists["start_urls"]):
        raise err("feeds", "a site needs at least one of feeds, sitemaps or start_urls")
    for key in ("feeds", "sitemaps", "start_urls"):
        for url in lists[key]:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise err(key, f"not an http(s) URL: {url!r}")
            if parts.hostname.lower() not in domains:
                raise err(key, f"{url!r} is outside the site's domains")
    for key in ("article_urls", "follow_urls"):
        for pattern in lists[key]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise err(key, f"bad regex {pattern!r}: {exc}") from exc

    def number(key: str, kind: type, default: Any, minimum: float, allow_none: bool = False) -> Any:
        value = merged.get(key, default)
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise err(key, f"must be a number, got {value!r}")
        if kind is int and not isinstance(value, int):
            raise err(key, f"must be a whole number, got {value!r}")
        if value < minimum:
            raise err(key, f"must be at least {minimum}, got {value!r}")
        return kind(value)

    obey = merged.get("obey_robots", True)
    if not isinstance(obey, bool):
        raise err("obey_robots", "must be true or false")
    respect_tdm = merged.get("respect_tdm_reservation", False)
    if not isinstance(respect_tdm, bool):
        raise err("respect_tdm_reservation", "must be true or false")
    ua = merged.get("user_agent", DEFAULT_USER_AGENT)
    if not isinstance(ua, str) or not ua.strip():
        raise err("user_agent", "must be a non-empty string")
    language = merged.get("language")
    if language is not None and (not isinstance(language, str) or len(language) != 2):
        raise err("language", "must be an ISO 639-1 code such as 'en'")
    return Site(
        name=name,
        domains=domains,
        feeds=lists["feeds"],
        sitemaps=lists["sitemaps"],
        start_urls=lists["start_urls"],
        article_urls=lists["article_urls"],
        follow_urls=lists["follow_urls"],
        max_depth=number("max_depth", int, 2, 0),
        language=language.lower() if language else None,
        max_age_days=number("max_age_days", int, 30, 1, allow_none=True),
        delay=number("delay", float, 1.0, 0),
        concurrency=number("concurrency", int, 2, 1),
        obey_robots=obey,
        user_agent=ua,
        max_pages=number("max_pages", int, None, 1, allow_none=True),
        max_requests=number("max_requests", int, DEFAULT_MAX_REQUESTS, 1),
        max_section_pages=number("max_section_pages", int, DEFAULT_MAX_SECTION_PAGES, 1),
        max_path_segments=number("max_path_segments", int, DEFAULT_MAX_PATH_SEGMENTS, 1),
        max_url_growth=number("max_url_growth", int, DEFAULT_MAX_URL_GROWTH, 1),
        respect_tdm_reservation=respect_tdm,
    )
