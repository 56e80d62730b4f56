"""Where the demo sites' data files live (package data under `content/`), and their page text."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

CONTENT: Traversable = files("newsmill.pipeline.demo") / "content"


def read_yaml(name: str) -> Any:
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))


@cache
def page_text(publisher: str) -> dict[str, Any]:
    """The prose a publisher prints around its stories: names, notices, static pages."""
    data = read_yaml(f"{publisher}.yaml")
    if not isinstance(data, dict):
        raise ValueError(f"content/{publisher}.yaml is not a mapping")
    return data
