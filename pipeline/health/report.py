"""Write the health report: `index.html` and `health.json`, to a folder or to the store's
`reports/date=<D>/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsmill.pipeline.health import summary
from newsmill.pipeline.health.page import render
from newsmill.storage import Store

HTML_NAME = "index.html"
JSON_NAME = "health.json"


@dataclass
class Written:
    data: dict[str, Any]
    html: str  # where the page went: a path or a store key
    json: str

    @property
    def drifting(self) -> list[str]:
        return list(self.data["summary"]["drifting"])


def report_prefix(day: str) -> str:
    return f"reports/date={day}/"


def write_report(store: Store, *, days: int = 14, out_dir: str | Path | None = None,
                 last: str | None = None) -> Written:
    """Build the report for the `days` days ending `last` (default today) and write it to
    `out_dir`, or (None) to the store's reports/date=<last>/."""
    data = summary.build(store, days=days, last=last)
    page = render(data).encode()
    body = json.dumps(data, indent=1, ensure_ascii=False).encode()
    if out_dir is not None:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / JSON_NAME).write_bytes(body)
        (folder / HTML_NAME).write_bytes(page)
        return Written(data, str(folder / HTML_NAME), str(folder / JSON_NAME))
    prefix = report_prefix(data["period"]["to"])
    store.put(prefix + JSON_NAME, body)
    store.put(prefix + HTML_NAME, page)
    return Written(data, prefix + HTML_NAME, prefix + JSON_NAME)
