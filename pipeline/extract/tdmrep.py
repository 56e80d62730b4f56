"""The TDM Reservation Protocol (W3C community group report): reading what a publisher says.

Three places, in the protocol's order of precedence:

1. `/.well-known/tdmrep.json` on the origin: a JSON array of rules
   `{"location": "/news/*", "tdm-reservation": 1, "tdm-policy": "https://..."}`; `location` is a
   path pattern in robots.txt style (`*` any characters, a final `$` anchors the end, otherwise
   a prefix); the first rule whose location matches the page's path applies;
2. the `tdm-reservation` and `tdm-policy` HTTP response headers;
3. `<meta name="tdm-reservation" content="1">` and `<meta name="tdm-policy" content="...">`.

`tdm-reservation` is 1 (rights reserved) or 0 (not reserved). The crawl reads the file once per
origin (spiders.guards.tdm) and hands the matching rule to extraction in the page's hints
(HINT_RESERVED, HINT_POLICY), since a record is extracted later from the archive alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

WELL_KNOWN_PATH = "/.well-known/tdmrep.json"
HEADER_RESERVATION = "tdm-reservation"
HEADER_POLICY = "tdm-policy"
# keys of a page's hints (pipeline.warc.records: Newsmill-Hints) set by the crawl
HINT_RESERVED = "tdm_reservation"
HINT_POLICY = "tdm_policy"
MAX_RULES = 1000


@dataclass(frozen=True)
class TdmRule:
    location: str
    reserved: bool | None
    policy: str | None


def reservation(value: Any) -> bool | None:
    """1 -> True, 0 -> False; anything else says nothing."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) \
        else ""
    return {"1": True, "0": False}.get(text)


def policy_url(value: Any) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    return text if text.lower().startswith(("http://", "https://")) else None


def parse_tdmrep(body: bytes) -> list[TdmRule] | None:
    """The rules of a tdmrep.json file, or None when it is not one (an HTML 404 page, junk)."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return None
    rules = []
    for item in data[:MAX_RULES]:
        if not isinstance(item, dict) or not isinstance(item.get("location"), str):
            continue
        rules.append(TdmRule(item["location"].strip(), reservation(item.get("tdm-reservation")),
                             policy_url(item.get("tdm-policy"))))
    return rules


@lru_cache(maxsize=256)
def _pattern(location: str) -> re.Pattern[str]:
    anchored = location.endswith("$")
    body = location[:-1] if anchored else location
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def matching_rule(rules: list[TdmRule], path: str) -> TdmRule | None:
    """The first rule whose location matches `path` (path and query of the page's URL)."""
    for rule in rules:
        if rule.location and _pattern(rule.location).match(path or "/"):
            return rule
    return None


def rule_hints(rule: TdmRule | None) -> dict[str, Any]:
    """What the crawl adds to a page's hints for extraction."""
    if rule is None or rule.reserved is None:
        return {}
    hints: dict[str, Any] = {HINT_RESERVED: 1 if rule.reserved else 0}
    if rule.policy:
        hints[HINT_POLICY] = rule.policy
    return hints
