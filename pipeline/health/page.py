"""The report as one self-contained HTML page: no external file, font or script to fetch.

Everything an operator needs reads without JavaScript (flags, the site table in health order,
the charts as inline SVG); a small inline script only lets the table be re-sorted by a click on
a column heading.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from newsmill.pipeline.health.charts import site_charts
from newsmill.pipeline.health.stats import FIELDS

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
.flags{background:#fdecea;border-left:4px solid #d1495b;padding:.5em 1em}
.flags li{margin:.3em 0;font-family:ui-monospace,monospace}
.ok{color:#2e7d32}.drifting{color:#b71c1c;font-weight:bold}.no-records{color:#b26a00}
.wide{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border-bottom:1px solid #e3e3e3;padding:3px 6px;text-align:right;white-space:nowrap}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
th{background:#f4f4f4;cursor:pointer;position:sticky;top:0}
th[aria-sort]::after{content:" \\25BE"}th[aria-sort=ascending]::after{content:" \\25B4"}
.charts{display:flex;flex-wrap:wrap;gap:.5em}figure{margin:0}
figcaption{font-size:11px;color:#555}.site{margin-top:2em}
dl{display:grid;grid-template-columns:max-content auto;gap:0 1em;font-size:12px}dd{margin:0}
"""

# Re-sorts the site table by the clicked column, numerically on each cell's data-v.
_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var up = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (isNaN(nx) || isNaN(ny)) ? String(x).localeCompare(String(y)) : nx - ny;
      return up ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0%}"


def _num(v: float | None, digits: int = 0) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def _bytes(v: float | None) -> str:
    if not v:
        return "–"
    for unit in ("B", "kB", "MB", "GB"):
        if v < 1024 or unit == "GB":
            return f"{v:,.0f} {unit}" if unit == "B" else f"{v:,.1f} {unit}"
        v /= 1024
    return "–"


def _anchor(site: str) -> str:
    return "site-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in site)


Column = tuple[str, Callable[[dict[str, Any]], Any], Callable[[dict[str, Any]], str]]

_COLUMNS: list[Column] = [
    ("site", lambda s: s["site"],
     lambda s: f'<a href="#{_anchor(s["site"])}">{escape(s["site"])}</a>'),
    ("health", lambda s: s["health_rank"],
     lambda s: f'<span class="{s["health"].replace(" ", "-")}">{escape(s["health"])}</span>'),
    ("records", lambda s: s["records"], lambda s: _num(s["records"])),
    ("pages", lambda s: s["pages"], lambda s: _num(s["pages"])),
    ("dupl.", lambda s: s["duplicates"], lambda s: _num(s["duplicates"])),
    ("rev.", lambda s: s["revisions"], lambda s: _num(s["revisions"])),
    ("quarantined", lambda s: s["quarantine_share"] or 0,
     lambda s: f'{_num(s["quarantined"])} ({_pct(s["quarantine_share"])})'),
    *[(f, (lambda s, f=f: -1 if s["fill"][f] is None else s["fill"][f]),
       (lambda s, f=f: _pct(s["fill"][f]))) for f in FIELDS],
    ("median words", lambda s: s["median_length"] or 0, lambda s: _num(s["median_length"])),
    ("short", lambda s: s["short_share"] or 0, lambda s: _pct(s["short_share"])),
    ("requests", lambda s: s["crawl"].get("requests", 0),
     lambda s: _num(s["crawl"].get("requests"))),
    ("4xx/5xx", lambda s: s["crawl"].get("status_4xx", 0) + s["crawl"].get("status_5xx", 0),
     lambda s: f'{_num(s["crawl"].get("status_4xx", 0))}/{_num(s["crawl"].get("status_5xx", 0))}'),
    ("429s", lambda s: s["crawl"].get("status_429", 0),
     lambda s: _num(s["crawl"].get("status_429"))),
    ("process s", lambda s: s["processing_seconds"], lambda s: _num(s["processing_seconds"], 1)),
]


def _table(sites: list[dict[str, Any]]) -> str:
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name, _, _ in _COLUMNS)
    rows = []
    for s in sites:
        cells = "".join(f'<td data-v="{escape(str(key(s)))}">{show(s)}</td>'
                        for _, key, show in _COLUMNS)
        rows.append(f"<tr>{cells}</tr>")
    return (f'<div class="wide"><table class="sortable" id="sites"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _politeness(s: dict[str, Any]) -> str:
    c = s["crawl"]
    items = [
        ("requests", _num(c.get("requests"))),
        ("bytes received", _bytes(c.get("bytes"))),
        ("2xx / 3xx / 4xx / 5xx", " / ".join(_num(c.get(f"status_{k}xx", 0)) for k in "2345")),
        ("429 (too many requests)", _num(c.get("status_429", 0))),
        ("robots.txt refusals", _num(c.get("robots_refused", 0))),
        ("mean delay between requests", f'{_num(c.get("mean_delay"), 2)} s'),
        ("crawl duration", f'{_num(c.get("seconds"), 1)} s'),
        ("processing time", f'{_num(s["processing_seconds"], 2)} s'),
        ("quarantine reasons", escape(", ".join(f"{k}: {v}" for k, v in
                                                s["quarantine_reasons"].items()) or "none")),
    ]
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def _site_section(s: dict[str, Any]) -> str:
    flags = "".join(f"<li>{escape(m)}</li>" for m in s["flags"])
    charts = "".join(f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"
                     for caption, svg in site_charts(s))
    return (f'<section class="site" id="{_anchor(s["site"])}">'
            f'<h3>{escape(s["site"])} <small class="{s["health"].replace(" ", "-")}">'
            f'{escape(s["health"])}</small></h3>'
            + (f'<ul class="flags">{flags}</ul>' if flags else "")
            + f'<div class="charts">{charts}</div>{_politeness(s)}</section>')


def render(data: dict[str, Any]) -> str:
    """The whole page for the data `pipeline.health.summary.build` returns."""
    period, summary = data["period"], data["summary"]
    flags = data["flags"]
    flag_items = "".join(
        f'<li><a href="#{_anchor(f["site"])}">{escape(f["message"])}</a></li>' for f in flags)
    flag_block = (f'<ul class="flags" id="flags">{flag_items}</ul>' if flags
                  else '<p class="ok" id="flags">No site drifts from its recent history.</p>')
    totals = (f'{summary["sites"]} sites, {summary["pages"]:,} pages processed, '
              f'{summary["records"]:,} records ({summary["duplicates"]:,} duplicates, '
              f'{summary["revisions"]:,} revisions), {summary["quarantined"]:,} quarantined, '
              f'{summary["requests"]:,} requests.')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newsmill health {escape(period["from"])} to {escape(period["to"])}</title>
<style>{_STYLE}</style></head>
<body>
<h1>newsmill health report</h1>
<p>{escape(period["from"])} to {escape(period["to"])} ({period["days"]} days) ·
store {escape(data["store"])} · generated {escape(data["generated_at"])}</p>
<p>{totals}</p>
<h2>Drift</h2>
{flag_block}
<h2>Sites</h2>
<p>Worst first; click a column heading to sort by it. Fill rates are shares of the pages
extracted; "short" is the share of texts under a third of the site's median length.</p>
{_table(data["sites"])}
<h2>Per site</h2>
{"".join(_site_section(s) for s in data["sites"])}
<script>{_SCRIPT}</script>
</body></html>
"""
