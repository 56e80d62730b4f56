"""Names the bench borrows from newsmill, found wherever the checkout under test keeps them.

The bench measures more than one checkout with the same script (the layout commit 673ab3e as
the baseline, the working tree while the extraction package is being split). Each name is
looked up first where 673ab3e has it, then in every module of the extraction package, so a
function that moved to another module is still found without editing the bench.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

_EXTRACT_PACKAGE = "newsmill.pipeline.extract"
# Where 673ab3e defines or re-exports each name.
_AT_LAYOUT_COMMIT = {
    "SavedPage": "newsmill.pipeline.extract.saved",
    "extract_saved": "newsmill.pipeline.extract.saved",
    "load_page": "newsmill.pipeline.extract.page",
    "url_date": "newsmill.pipeline.extract.page",
    "normalise_date": "newsmill.pipeline.extract.normalise",
    "written_day": "newsmill.pipeline.extract.normalise",
    "clean_title": "newsmill.pipeline.extract.normalise",
    "plain_typography": "newsmill.pipeline.extract.typography",
}


def _from(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


@cache
def symbol(name: str) -> Any:
    """The object newsmill calls `name`; LookupError when no extraction module has it."""
    module = _AT_LAYOUT_COMMIT.get(name)
    found = _from(module, name) if module else None
    if found is not None:
        return found
    package = importlib.import_module(_EXTRACT_PACKAGE)
    for info in pkgutil.walk_packages(package.__path__, f"{_EXTRACT_PACKAGE}."):
        found = _from(info.name, name)
        if found is not None:
            return found
    raise LookupError(f"{name} is in no module of {_EXTRACT_PACKAGE}")
