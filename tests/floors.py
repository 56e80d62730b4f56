"""Floors pinned in a JSON file that a quality test reads, and the rule that none is lowered
silently (docs/quality.md): a floor below the previous version's needs a "lowered" entry."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).parent.parent


def floors(doc: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in doc.get("floors", {}).items()}


def previous_version(path: Path) -> dict[str, Any] | None:
    """The floor file as it was before the change under test: HEAD's when the working copy
    differs from it, else the version before the last commit that touched it."""
    rel = path.relative_to(REPO).as_posix()

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=20
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    head = git("show", f"HEAD:{rel}")
    if head is None:
        return None
    if json.loads(head) != json.loads(path.read_text(encoding="utf-8")):
        return dict(json.loads(head))
    last = (git("log", "-n", "1", "--format=%H", "--", rel) or "").strip()
    before = git("show", f"{last}~1:{rel}") if last else None
    return dict(json.loads(before)) if before else None


def unexplained_lowering(doc: dict[str, Any], previous: dict[str, Any]) -> list[str]:
    """One message per floor lowered without a matching "lowered" entry and its reason.
    A floor may be a ceiling instead ("max_"-prefixed metrics, like a count of empty pages):
    there raising it is the lowering."""
    old, new = floors(previous), floors(doc)
    lowered = doc.get("lowered", {})
    problems = []
    for metric, floor in new.items():
        if metric not in old:
            continue
        worse = floor > old[metric] if metric.startswith("max_") else floor < old[metric]
        if not worse:
            continue
        entry = lowered.get(metric) or {}
        if entry.get("from") != old[metric] or entry.get("to") != floor:
            problems.append(
                f"floor of {metric!r} moved from {old[metric]} to {floor}: docs/quality.md says "
                f'to add "lowered": {{"{metric}": {{"from": {old[metric]}, "to": {floor}, '
                f'"why": "..."}}}} in the same change'
            )
        elif not str(entry.get("why", "")).strip():
            problems.append(f"lowering {metric!r} needs a reason")
    return problems
