"""A site's own names ("The Canary", "thecanary.co") as comparison keys, to strip them from
titles and bylines."""

from __future__ import annotations

from collections.abc import Iterable


def squash(value: str) -> str:
    """Comparison key for names: case-folded letters and digits only, leading "the" removed."""
    key = "".join(ch for ch in value.casefold() if ch.isalnum())
    return key[3:] if key.startswith("the") and len(key) > 6 else key


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne", "go"})


def site_name_keys(names: Iterable[str | None]) -> set[str]:
    """Comparison keys for a site's names: "The Canary", "thecanary.co", "www.thecanary.co"."""
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        name = name.strip().lower()
        if name.startswith("www."):
            name = name[4:]
        keys.add(squash(name))
        labels = name.split(".")
        if " " not in name and (
            len(labels) == 2
            or (len(labels) == 3 and len(labels[2]) == 2 and labels[1] in _SECOND_LEVEL)
        ):
            # a registrable domain: its first label is the brand ("thecanary" for
            # thecanary.co); for deeper hosts the first label is a subdomain ("news.", "m.")
            keys.add(squash(labels[0]))
    keys.discard("")
    return keys


def is_site_name(value: str, site_names: Iterable[str | None]) -> bool:
    """True when `value` is just one of the site's names ("The Northfield Post", its host)."""
    return squash(value) in site_name_keys(site_names)
