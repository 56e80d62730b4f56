"""A headline without the site's name around it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from newsmill.pipeline.extract.site_names import site_name_keys, squash
from newsmill.pipeline.extract.whitespace import normalise_space

# Chinese and Japanese titles join the site name without spaces ("标题_江北日报", "見出し｜新聞").
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-|–—·•»«:]{1,2}|/|::)\s+|\s*[_｜丨]\s*")
_GENERIC_SUFFIX = ("news", "online", "com", "couk", "org", "net", "media", "magazine", "blog")


def _matches_site(segment: str, keys: set[str]) -> bool:
    seg = squash(segment)
    if not seg:
        return False
    for key in keys:
        if seg == key:
            return True
        for suffix in _GENERIC_SUFFIX:
            if seg == key + suffix or key == seg + suffix:
                return True
    return False


def clean_title(title: str | None, site_names: Iterable[str | None] = ()) -> str:
    """The headline without the site's name around it.

    "Story - The Canary" and "The Canary | Story" lose the site name; in "Story – Site – Tagline"
    the site name and whatever follows it go. Segments that do not match a site name stay.
    """
    title = normalise_space(html.unescape(title or ""))
    keys = site_name_keys(site_names)
    if not title or not keys:
        return title
    while True:
        seps = list(_TITLE_SEPARATORS.finditer(title))
        if not seps:
            return title
        bounds = [0, *(m.start() for m in seps), len(title)]
        starts = [0, *(m.end() for m in seps)]
        segments = [title[starts[i] : bounds[i + 1]] for i in range(len(starts))]
        if _matches_site(segments[0], keys):
            title = title[seps[0].end() :].strip()
            continue
        cut = next((i for i in range(1, len(segments)) if _matches_site(segments[i], keys)), None)
        if cut is None:
            return title
        title = title[: seps[cut - 1].start()].strip()
