"""The sites file for a running demo, laid out as in PRODUCT.md (block style, flow lists).

Written by hand rather than with yaml.safe_dump so the layout is the documented one: tests edit
it textually (e.g. insert a key after `max_depth: 3`).
"""

from __future__ import annotations

from collections.abc import Mapping

USER_AGENT = "newsmill-demo (+https://example.org/newsmill)"
GAZETTE_ARTICLE_URLS = r"/\d{4}/\d{2}/\d{2}/[^/]+/?$"
LEDGER_ARTICLE_URLS = r"/news/\d+-[^/]+\.(html|pdf)$"


def sites_yaml(
    bases: Mapping[str, str], hosts: Mapping[str, str], *, delay: float, concurrency: int
) -> str:
    g, led = bases["gazette"], bases["ledger"]
    return f"""# newsmill demo sites, generated for the servers at {g} and {led}
allow_private_networks: {_flow(["127.0.0.0/8"])}
defaults:
  delay: {float(delay)!r}
  concurrency: {int(concurrency)}
  obey_robots: true
  user_agent: {_quote(USER_AGENT)}
  max_age_days: 30
sites:
  - name: gazette
    domains: {_flow([hosts["gazette"]])}
    feeds: {_flow([f"{g}/feed/"])}
    sitemaps: {_flow([f"{g}/sitemap_index.xml"])}
    start_urls: {_flow([f"{g}/"])}
    article_urls: {_flow([GAZETTE_ARTICLE_URLS])}
    follow_urls: {_flow(["/section/"])}
    max_depth: 2
    language: en
  - name: ledger
    domains: {_flow([hosts["ledger"]])}
    feeds: {_flow([f"{led}/rss.xml"])}
    start_urls: {_flow([f"{led}/"])}
    article_urls: {_flow([LEDGER_ARTICLE_URLS])}
    follow_urls: {_flow(["/section/", "/calendar/"])}
    max_depth: 3
"""


def _quote(value: str) -> str:
    # Single-quoted YAML keeps regex backslashes literal; only the quote itself needs doubling.
    return "'" + value.replace("'", "''") + "'"


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"
