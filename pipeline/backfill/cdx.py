"""The Wayback Machine's CDX index: which captures of a site it holds in a date range.

For each of the site's domains the CDX API is asked, page by page (`showResumeKey` resume keys),
for the HTML captures with status 200 in [from, to], one row per URL (`collapse=urlkey`). Rows
whose URL belongs to the site and matches its `article_urls` make the plan; the rest are counted
as skipped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode, urlsplit

from newsmill.pipeline.backfill.http import FetchError, HTTPClient
from newsmill.pipeline.sites import Site

log = logging.getLogger(__name__)

CDX_PAGE_ROWS = 1000  # rows per CDX request (`limit`), paged with resume keys


class CdxError(RuntimeError):
    """The CDX server could not answer (after retries): the backfill cannot list captures."""


@dataclass(frozen=True)
class CdxRow:
    urlkey: str
    timestamp: str  # 14 digits, UTC
    original: str
    mimetype: str
    statuscode: str
    digest: str

    @property
    def day(self) -> str:
        t = self.timestamp
        return f"{t[:4]}-{t[4:6]}-{t[6:8]}"


def cdx_query(
    client: HTTPClient,
    cdx_url: str,
    domain: str,
    date_from: date,
    date_to: date,
    *,
    page_rows: int = CDX_PAGE_ROWS,
) -> Iterator[CdxRow]:
    """Every 200 text/html capture under `domain`, one per URL, in [date_from, date_to],
    following `showResumeKey` resume keys from page to page."""
    params: list[tuple[str, str]] = [
        ("url", f"{domain}/*"),
        ("output", "json"),
        ("from", date_from.strftime("%Y%m%d")),
        ("to", date_to.strftime("%Y%m%d")),
        ("filter", "statuscode:200"),
        ("filter", "mimetype:text/html"),
        ("collapse", "urlkey"),
        ("fl", "urlkey,timestamp,original,mimetype,statuscode,digest"),
        ("limit", str(page_rows)),
        ("showResumeKey", "true"),
    ]
    resume: str | None = None
    pages = 0
    while True:
        query = params + ([("resumeKey", resume)] if resume else [])
        url = f"{cdx_url}?{urlencode(query)}"
        try:
            status, _, body, _ = client.get(url)
        except FetchError as exc:
            raise CdxError(f"CDX query {url} failed: {exc}") from exc
        if status != 200:
            raise CdxError(f"CDX query {url} answered HTTP {status}: {body[:200]!r}")
        pages += 1
        rows, resume = parse_cdx_json(body)
        log.info("CDX %s page %d: %d rows%s", domain, pages, len(rows),
                 " (more to come)" if resume else "")
        yield from rows
        if not resume:
            return


def parse_cdx_json(body: bytes) -> tuple[list[CdxRow], str | None]:
    """Rows of a JSON CDX answer (a header row first) and the resume key, if any.

    With showResumeKey the last two entries are an empty row and `[resume_key]`.
    """
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None  # the server answers an empty body when nothing matches
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CdxError(f"CDX answer is not JSON: {text[:200]!r}") from exc
    if not isinstance(data, list) or not data:
        return [], None
    header = [str(h) for h in data[0]]
    resume: str | None = None
    body_rows = data[1:]
    if len(body_rows) >= 2 and body_rows[-2] == [] and len(body_rows[-1]) == 1:
        resume = str(body_rows[-1][0])
        body_rows = body_rows[:-2]
    rows = []
    for raw in body_rows:
        if not raw:
            continue
        rec = dict(zip(header, raw, strict=False))
        rows.append(
            CdxRow(
                urlkey=str(rec.get("urlkey", "")),
                timestamp=str(rec.get("timestamp", "")),
                original=str(rec.get("original", "")),
                mimetype=str(rec.get("mimetype", "")),
                statuscode=str(rec.get("statuscode", "")),
                digest=str(rec.get("digest", "")),
            )
        )
    return rows, resume


@dataclass
class WaybackPlan:
    """What the CDX index offered for one site."""

    rows: list[CdxRow] = field(default_factory=list)  # article captures to fetch
    skipped: dict[str, int] = field(default_factory=dict)


def plan_captures(
    client: HTTPClient, cdx_url: str, site: Site, date_from: date, date_to: date,
    *, page_rows: int = CDX_PAGE_ROWS,
) -> WaybackPlan:
    plan = WaybackPlan()
    seen: set[str] = set()
    for domain in site.domains:
        for row in cdx_query(client, cdx_url, domain, date_from, date_to, page_rows=page_rows):
            # Two domains of one site (www. and bare) give the same urlkey: one capture each.
            if row.urlkey in seen:
                continue
            seen.add(row.urlkey)
            host = (urlsplit(row.original).hostname or "").lower()
            if not site.owns_host(host):
                plan.skipped["other hosts"] = plan.skipped.get("other hosts", 0) + 1
            elif not site.is_article_url(row.original):
                plan.skipped["not article URLs"] = plan.skipped.get("not article URLs", 0) + 1
            else:
                plan.rows.append(row)
    return plan

