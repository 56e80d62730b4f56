"""The extractors compared: `newsmill extract` and bare trafilatura, as one `Output` shape.

Module-level functions so the worker processes of the pooled timing can run them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from extraction.project import symbol

# One fetch time for the whole run: relative dates ("2 hours ago") then resolve the same way
# in every process.
FETCHED_AT = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Output:
    text: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    # Credited organisations (agencies, desks, the publication), when the record has the field.
    organizations: list[str] = field(default_factory=list)
    date: str = ""
    # The day in the page's own offset when the extractor states it ("" when unknown).
    local_day: str = ""
    error: str = ""
    modified: str = ""
    published_at: str = ""


def run_ours(html: bytes, url: str) -> Output:
    """What `newsmill extract PAGE --url URL` prints for the page, as an Output."""
    saved_page, extract_saved = symbol("SavedPage"), symbol("extract_saved")
    record = extract_saved(
        saved_page(input="bench", body=html, url=url or None, fetched_at=FETCHED_AT)
    )
    if "error" in record:
        return Output(error=record["error"])
    published = record.get("published_at") or ""
    return Output(
        text=record.get("text") or "",
        title=record.get("title") or "",
        authors=list(record.get("authors") or []),
        organizations=list(record.get("organizations") or []),
        date=published[:10],
        local_day=(record.get("published_local") or "")[:10],
        modified=(record.get("modified_at") or "")[:10],
        published_at=published,
    )


def run_baseline_text(html: bytes, url: str) -> Output:
    import trafilatura

    return Output(text=trafilatura.extract(html) or "")


def run_baseline_meta(html: bytes, url: str) -> Output:
    from trafilatura import extract_metadata

    meta = extract_metadata(html, default_url=url)
    authors = [a.strip() for a in (meta.author or "").split(";") if a.strip()]
    day = (meta.date or "")[:10]
    # htmldate reports the day as the page writes it, so its day is already the local one.
    return Output(title=meta.title or "", authors=authors, date=day, local_day=day)


def ours_job(args: tuple[bytes, str]) -> Output:
    return run_ours(*args)
