"""URL identity: one spelling per article, so that ids and deduplication are stable.

The URL a crawl *fetches* is never rewritten here: `request_url` is the link as the page gave it,
made absolute and without its fragment (servers can care about a bare `?amp`, about `%20` versus
`+`, and about parameter order). Everything else in this module builds keys, not requests:

- `normalise_url(url)`: the comparable spelling. `w3lib.url.canonicalize_url` (ships with Scrapy)
  does the RFC 3986 part: IDN hosts in punycode, percent-escapes upper-cased (`%2f` = `%2F`),
  unreserved characters decoded, dot segments resolved, query parameters sorted, no fragment.
  On top, our policy: no credentials, no default port, no trailing dot, no tracking parameters.
- `canonical_url(fetched_url, html_canonical, ...)`: the article's identity. Prefers the page's own
  `<link rel="canonical">` when it stays on the same site, then collapses AMP variants.

Two helpers for deduplication sit on top:

- `identity_key(url)`: spellings that can only ever mean one article without being the same
  URL: `http`/`https`, a `www.` (or mobile `m.`) host prefix, a trailing slash, `index.html`. The
  published `canonical_url` keeps the site's own spelling (it must stay fetchable); two records
  whose keys agree are the same article, and the later one is flagged as a duplicate.
- `cross_site_canonical(...)`: a `<link rel="canonical">` that names another site is not followed
  (the id stays this page's), but it is the publisher saying which article this one copies.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, parse_qsl, unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    import tldextract

# Exact names (compared lowercased). `ref` is here because news sites use it for campaign
# attribution; a site that uses `ref` for content would need to be handled in its sites entry.
# Kept instead of courlan's tracker pattern (`courlan.clean.TRACKERS_RE`, courlan 1.4.0), which
# is measurably worse for identity: it misses 30 of these 58 names and 3 of the 6 prefixes
# (ncid, smid, spm, icid, _hsenc, hsa_, ...), and it removes `cid`, `uid`, `source` and `keyword`,
# which sites use to name content (`story.php?cid=1234`): two articles would get one identity.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "cmp",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "wickedid",
        "s_cid",
        "s_kwcid",
        "ncid",
        "ocid",
        "smid",
        "smtyp",
        "sr_share",
        "share",
        "spm",
        "xtor",
        "ito",
        "icid",
        "trk",
        "trkcampaign",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "hsa_", "pk_", "mtm_", "matomo_", "stm_")

# Query parameters that only select the AMP rendering of the same article.
_AMP_PARAMS = {"amp": {"", "1", "true", "yes"}, "outputtype": {"amp"}, "output": {"amp"}}

_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_PATH = re.compile(r"(?:/amp/?|\.amp)$", re.IGNORECASE)
_AMP_HTML_SUFFIX = re.compile(r"\.amp\.html?$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # Imported here: tldextract pulls in requests (~75 ms), and the spider's scope checks
    # (request_url, is_same_site) never need it.
    import tldextract

    # The bundled public-suffix snapshot only: looking up the registrable domain must never go to
    # the network or write a cache. Private suffixes (github.io, blogspot.com) count, so two
    # different blogs on one hosting domain are not "the same site".
    return tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """`news.bbc.co.uk` -> `bbc.co.uk`. IP addresses and single-label hosts are their own domain."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host) or "." not in host:
        return host
    result = _extractor()(host)
    if result.domain and result.suffix:
        return f"{result.domain}.{result.suffix}"
    # A suffix the public list does not know (.example, .test, .internal): treat it as a
    # one-label suffix, which is what such private namespaces almost always are.
    return ".".join(host.split(".")[-2:])


def host_of(url: str) -> str:
    """Lowercased host without port or trailing dot; empty for URLs without one."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


@lru_cache(maxsize=4096)
def ascii_host(host: str) -> str:
    """`host` as it goes on the wire: an IDN in punycode (w3lib's IDNA), lowercased, no dot."""
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return (urlsplit(canonicalize_url(f"http://{host}/")).hostname or host).rstrip(".")
    except ValueError:
        return host


def is_tracking_param(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def _is_amp_param(name: str, value: str) -> bool:
    return value.lower() in _AMP_PARAMS.get(name.lower(), ())


def _drop_params(query: str, drop: Callable[[str, str], bool]) -> str:
    """`query` without the parameters `drop(name, value)` names, the rest kept byte for byte.

    Own code because `w3lib.url.url_query_cleaner` matches exact, case-sensitive names only,
    and the policy needs prefixes (`utm_`) and case-insensitive names.
    """
    kept = []
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if pair and not drop(unquote_plus(name), unquote_plus(value)):
            kept.append(pair)
    return "&".join(kept)


def request_url(url: str, base: str | None = None) -> str:
    """The URL to fetch for a link: as the page gave it, made absolute, without its fragment.

    Nothing else is touched: normalising belongs to the identity (`normalise_url`), never to the
    request (`?amp` is not `?amp=` to every server, nor `%20` `+`).
    """
    url = url.strip()
    if base is not None:
        url = urljoin(base, url)
    return url.partition("#")[0]


def normalise_url(url: str) -> str:
    """The comparable spelling of a URL (see the module docstring)."""
    url = url.strip()
    try:
        parts = urlsplit(canonicalize_url(url))
        port = parts.port
    except ValueError:  # a bad port or IPv6 literal: only itself is the same
        return url
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    # Rebuilt from the host alone: credentials in a URL are never part of an article's identity.
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{host}:{port}"
    query = _drop_params(parts.query, lambda name, _: is_tracking_param(name))
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))


def is_same_site(url: str, domains: Iterable[str]) -> bool:
    """True when the URL's host is one of the site's `domains` (exact host match, like the
    crawler's scope rule: `www.example.org` does not admit `cdn.example.org`)."""
    host = ascii_host(host_of(url))
    if not host:
        return False
    return host in {ascii_host(d) for d in domains}


def _same_registrable(a: str, b: str) -> bool:
    ha, hb = ascii_host(host_of(a)), ascii_host(host_of(b))
    return bool(ha) and bool(hb) and registrable_domain(ha) == registrable_domain(hb)


def is_amp_url(url: str) -> bool:
    """URL shapes publishers use for the AMP rendering of an article."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return _is_amp(parts)


def _is_amp(parts: SplitResult) -> bool:
    host = (parts.hostname or "").lower()
    if host.startswith("amp."):
        return True
    if _AMP_PATH.search(parts.path) or _AMP_HTML_SUFFIX.search(parts.path):
        return True
    return any(
        _is_amp_param(name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )


def de_amp(url: str, domains: Iterable[str] = ()) -> str:
    """The non-AMP URL an AMP URL stands for (normalised). Non-AMP URLs come back normalised."""
    url = normalise_url(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return _collapse_amp(parts, domains)


def _collapse_amp(parts: SplitResult, domains: Iterable[str] = ()) -> str:
    """`de_amp` of a URL already normalised and split."""
    netloc = parts.netloc
    host = (parts.hostname or "").lower()
    if host.startswith("amp.") and host.count(".") >= 2:
        bare = host[len("amp.") :]
        known = {ascii_host(d) for d in domains}
        # amp.example.com usually mirrors www.example.com; only the sites file can say which.
        if known and bare not in known and f"www.{bare}" in known:
            bare = f"www.{bare}"
        netloc = netloc.replace(host, bare, 1)
    path = parts.path
    if _AMP_HTML_SUFFIX.search(path):
        path = _AMP_HTML_SUFFIX.sub(".html", path)
    elif _AMP_PATH.search(path):
        trailing = path.endswith("/")
        path = _AMP_PATH.sub("", path) or "/"
        if trailing and not path.endswith("/"):
            path += "/"
    query = _drop_params(parts.query, _is_amp_param)  # tracking went in normalise_url
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _absolute_http(candidate: str | None, fetched_url: str) -> str | None:
    if not candidate or not candidate.strip():
        return None
    try:
        absolute = urljoin(fetched_url, candidate.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return absolute


def accept_canonical(
    candidate: str | None, fetched_url: str, domains: Iterable[str] = ()
) -> str | None:
    """The page's declared canonical URL, absolute and normalised, or None when it cannot be
    trusted: not http(s), another site, or the site's home page for a page that is not the home
    page (a common CMS misconfiguration that would merge every article into one)."""
    absolute = _absolute_http(candidate, fetched_url)
    if absolute is None:
        return None
    parts = urlsplit(absolute)
    domains = tuple(domains)
    if not (_same_registrable(absolute, fetched_url) or is_same_site(absolute, domains)):
        return None
    fetched_path = urlsplit(fetched_url).path.strip("/")
    if parts.path.strip("/") == "" and not parts.query and fetched_path:
        return None
    return normalise_url(absolute)


def cross_site_canonical(
    candidate: str | None, fetched_url: str, domains: Iterable[str] = ()
) -> str | None:
    """The declared canonical URL when it is on another site (normalised, AMP resolved), else
    None. A canonical pointing at a home page says nothing about a copy and is ignored too."""
    absolute = _absolute_http(candidate, fetched_url)
    if absolute is None:
        return None
    if _same_registrable(absolute, fetched_url) or is_same_site(absolute, tuple(domains)):
        return None
    parts = urlsplit(absolute)
    if parts.path.strip("/") == "" and not parts.query:
        return None
    return de_amp(absolute)  # normalised, AMP shapes collapsed


_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?)$", re.IGNORECASE)
_HOST_VARIANT = re.compile(r"^(?:www\d*|m|mobile)\.")


def identity_key(url: str) -> str:
    """What identifies the article at `url` regardless of spelling (see the module docstring).

    Not a URL to fetch: the scheme is dropped and the host loses its `www.`/`m.` prefix. Built on
    `normalise_url`, so an IDN and its punycode, or `%2f` and `%2F`, give one key.
    """
    url = url.strip()
    try:
        parts = urlsplit(normalise_url(url))
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:  # not a URL at all: only itself is the same
        return url
    if _is_amp(parts):
        parts = urlsplit(_collapse_amp(parts))
    host = parts.netloc
    if not host.startswith("[") and host.count(".") >= 2:
        host = _HOST_VARIANT.sub("", host, count=1)
    path = _INDEX_PAGE.sub("/", parts.path).rstrip("/")
    return f"//{host}{path}" + (f"?{parts.query}" if parts.query else "")


def canonical_url(
    fetched_url: str,
    html_canonical: str | None = None,
    *,
    domains: Iterable[str] = (),
) -> str:
    """The article's canonical URL.

    `html_canonical` is the page's `<link rel="canonical">` (relative allowed); it is used when
    same-site. On an AMP page that link is the non-AMP article (AMP requires publishers to
    declare it), so both renderings get the same answer. Whatever URL is chosen, AMP URL shapes
    (`/amp/`, `?amp=1`, `amp.` host, `.amp.html`) are collapsed, so the AMP and non-AMP
    renderings of one story share an id even without a canonical link.
    """
    domains = tuple(domains)
    chosen = accept_canonical(html_canonical, fetched_url, domains)
    if chosen is None:
        chosen = normalise_url(fetched_url)
    return de_amp(chosen, domains) if is_amp_url(chosen) else chosen
