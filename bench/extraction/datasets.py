"""The two development sets, read into one shape, and the fixed tune/held split.

- WCXB style (`wcxb-dev-articles/`): `html/NNNN.html.gz` + `ground-truth/NNNN.json` with
  `{"url", "ground_truth": {"title", "author", "publish_date", "main_content", "with",
  "without"}}`.
- trafilatura's evaluation corpus (`trafilatura-eval/`): `labels.json` =
  `{"pages": [{"url", "file", "title"?, "author"? (a list, or a string with ";" between
  names), "date"?, "with", "without", "comments"?, ...}]}` with `file` relative to the
  folder. There is no reviewed main text, so the body is scored on the snippets only.

The half of a page is a fixed function of its URL: the first byte of sha256(URL, UTF-8) even
means `tune`, odd means `held`. It never depends on the set's order, size or the code under
test, so a page stays in its half when pages are added or the extractor changes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HALVES = ("tune", "held", "all")
_LOOSE_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class Truth:
    """A page's reference answers; an empty value means the set gives none."""

    title: str = ""
    # The reference author names as given: one string, or each entry of a list.
    authors: tuple[str, ...] = ()
    date: str = ""
    # None when the set labels snippets only (no reviewed main text).
    main_content: str | None = None
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()

    @property
    def author(self) -> str:
        return "; ".join(self.authors)


@dataclass
class Page:
    ident: str
    url: str
    html: bytes
    truth: Truth


@dataclass
class DataSet:
    name: str
    path: Path
    pages: list[Page] = field(default_factory=list)

    @property
    def has_main_content(self) -> bool:
        return any(p.truth.main_content is not None for p in self.pages)


def half_of(url: str) -> str:
    """`tune` or `held`, fixed by the URL (see the module docstring)."""
    return "tune" if hashlib.sha256(url.encode("utf-8")).digest()[0] % 2 == 0 else "held"


def in_half(url: str, half: str) -> bool:
    return half == "all" or half_of(url) == half


def iso_day(value: object) -> str:
    """YYYY-MM-DD of a reference date ("2022-11-1" in one label is zero-padded); "" if none."""
    match = _LOOSE_DAY.match(str(value or "").strip())
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(s.strip() for s in items if isinstance(s, str) and s.strip())


def _label_authors(value: Any) -> tuple[str, ...]:
    # The labels keep trafilatura's metadata convention: several authors joined by ";".
    return tuple(name for entry in _strings(value) for name in _strings(entry.split(";")))


def _wcxb_pages(data: Path, half: str) -> Iterable[Page]:
    for truth_file in sorted((data / "ground-truth").glob("*.json")):
        html_path = data / "html" / f"{truth_file.stem}.html.gz"
        doc = json.loads(truth_file.read_text(encoding="utf-8"))
        url = doc.get("url") or ""
        if not html_path.exists() or not in_half(url, half):
            continue
        gt = doc.get("ground_truth") or {}
        truth = Truth(
            title=(gt.get("title") or "").strip(),
            authors=_strings(gt.get("author")),
            date=iso_day(gt.get("publish_date")),
            main_content=gt.get("main_content") or "",
            with_snippets=_strings(gt.get("with") or []),
            without_snippets=_strings(gt.get("without") or []),
        )
        yield Page(truth_file.stem, url, gzip.decompress(html_path.read_bytes()), truth)


def _labelled_pages(data: Path, half: str) -> Iterable[Page]:
    labels = json.loads((data / "labels.json").read_text(encoding="utf-8"))
    for entry in labels.get("pages") or []:
        url = entry.get("url") or ""
        html_path = data / entry["file"]
        if not html_path.exists() or not in_half(url, half):
            continue
        truth = Truth(
            title=(entry.get("title") or "").strip(),
            authors=_label_authors(entry.get("author")),
            date=iso_day(entry.get("date")),
            with_snippets=_strings(entry.get("with") or []),
            without_snippets=_strings(entry.get("without") or []),
        )
        raw = html_path.read_bytes()
        html = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        ident = Path(entry["file"]).name.removesuffix(".gz").removesuffix(".html")
        yield Page(ident, url, html, truth)


def is_data_set(data: Path) -> bool:
    return (data / "ground-truth").is_dir() or (data / "labels.json").is_file()


def load_set(data: Path, half: str = "held", limit: int | None = None) -> DataSet:
    """The pages of one set in `half`, in the set's own order; `limit` keeps the first N."""
    if (data / "ground-truth").is_dir():
        pages = _wcxb_pages(data, half)
    elif (data / "labels.json").is_file():
        pages = _labelled_pages(data, half)
    else:
        raise FileNotFoundError(f"no benchmark data at {data}")
    chosen: list[Page] = []
    for page in pages:
        if limit is not None and len(chosen) >= limit:
            break
        chosen.append(page)
    return DataSet(data.name, data, chosen)
