"""A site's small charts, drawn by matplotlib as SVG to inline in the report.

matplotlib's own Figure (not pyplot) keeps no global state between charts, and SVG text stays
text (svg.fonttype none), so the page is small, searchable and needs no font files.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from newsmill.pipeline.health.stats import FIELDS

SIZE = (3.6, 2.0)  # inches
_COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#66a182", "#8d6a9f", "#2e4057", "#ff8c42")
_COVERAGE = ("ingested", "duplicates", "unchanged", "quarantined", "failed")

matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "newsmill",  # the same figures give the same file
    "font.size": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
})


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]  # inline: no XML declaration or doctype


def _axes(title: str) -> tuple[Figure, Any]:
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=8)
    return fig, ax


def _days_axis(ax: Any, days: Sequence[str]) -> None:
    step = max(1, -(-len(days) // 5))  # at most five labels: they must not overlap
    ticks = list(range(0, len(days), step))
    ax.set_xticks(ticks, [days[i][5:] for i in ticks])
    ax.set_xlim(-0.6, len(days) - 0.4)


def _legend(ax: Any) -> None:
    # beside the plot, where it cannot hide a bar or a line
    ax.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def records_chart(daily: list[dict[str, Any]]) -> str:
    days = [d["day"] for d in daily]
    fig, ax = _axes("records and quarantined pages per day")
    x = range(len(days))
    records = [d["records"] for d in daily]
    unchanged = [d["unchanged"] for d in daily]
    quarantined = [d["quarantined"] for d in daily]
    ax.bar(x, records, color=_COLOURS[0], label="records")
    ax.bar(x, unchanged, bottom=records, color="#a9c6de", label="unchanged refetches")
    tops = [r + u for r, u in zip(records, unchanged, strict=True)]
    ax.bar(x, quarantined, bottom=tops, color=_COLOURS[1], label="quarantined")
    _days_axis(ax, days)
    _legend(ax)
    return _svg(fig)


def fill_chart(daily: list[dict[str, Any]]) -> str:
    days = [d["day"] for d in daily]
    fig, ax = _axes("field fill rates (% of extracted pages)")
    for colour, name in zip(_COLOURS, FIELDS, strict=False):
        ys = [None if d["fill"][name] is None else 100 * d["fill"][name] for d in daily]
        ax.plot(range(len(days)), [float("nan") if y is None else y for y in ys],
                marker="o", markersize=2.5, linewidth=1.2, color=colour, label=name)
    ax.set_ylim(-5, 105)
    _days_axis(ax, days)
    _legend(ax)
    return _svg(fig)


def quarantine_chart(daily: list[dict[str, Any]]) -> str:
    days = [d["day"] for d in daily]
    reasons = sorted({r for d in daily for r in d["quarantine_reasons"]})
    fig, ax = _axes("quarantined pages by reason")
    bottom = [0] * len(days)
    for i, reason in enumerate(reasons):
        ys = [d["quarantine_reasons"].get(reason, 0) for d in daily]
        ax.bar(range(len(days)), ys, bottom=bottom, label=reason[:40],
               color=_COLOURS[i % len(_COLOURS)])
        bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
    if not reasons:
        ax.text(0.5, 0.5, "nothing quarantined", ha="center", va="center",
                transform=ax.transAxes)
    else:
        _legend(ax)
    _days_axis(ax, days)
    return _svg(fig)


def coverage_chart(coverage: dict[str, dict[str, int]]) -> str:
    months = sorted(coverage)
    fig, ax = _axes("backfill coverage by month (pages found)")
    if not months:
        ax.text(0.5, 0.5, "no backfill in the period", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return _svg(fig)
    bottom = [0] * len(months)
    for colour, outcome in zip(_COLOURS, _COVERAGE, strict=False):
        ys = [coverage[m].get(outcome, 0) for m in months]
        ax.bar(range(len(months)), ys, bottom=bottom, color=colour, label=outcome)
        bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
    step = max(1, -(-len(months) // 6))
    ticks = list(range(0, len(months), step))
    ax.set_xticks(ticks, [months[i] for i in ticks])
    _legend(ax)
    return _svg(fig)


def site_charts(site: dict[str, Any]) -> list[tuple[str, str]]:
    """(caption, inline SVG) for each chart of one site's report entry."""
    daily = site["daily"]
    return [
        ("records per day", records_chart(daily)),
        ("field fill rates", fill_chart(daily)),
        ("quarantine reasons", quarantine_chart(daily)),
        ("backfill coverage by month", coverage_chart(site["coverage"])),
    ]
