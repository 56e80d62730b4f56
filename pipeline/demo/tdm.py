"""The Northern Ledger's TDM Reservation Protocol files: it reserves text and data mining of its
news stories and points to a policy; the rest of the site is not reserved. The Gazette has no
tdmrep.json (its request gets the ordinary 404)."""

from __future__ import annotations

import json

from newsmill.pipeline.demo.model import Response

TDMREP_PATH = "/.well-known/tdmrep.json"
POLICY_PATH = "/tdm-policy.json"
RESERVED_LOCATION = "/news/*"


def tdmrep(base: str) -> Response:
    rules = [
        {"location": RESERVED_LOCATION, "tdm-reservation": 1, "tdm-policy": base + POLICY_PATH},
        {"location": "/*", "tdm-reservation": 0},
    ]
    return Response(200, json.dumps(rules, indent=2).encode(), "application/json")


def policy(base: str) -> Response:
    # A TDM policy is an ODRL document; the demo's offers a licence on request.
    data = {
        "@context": ["http://www.w3.org/ns/odrl.jsonld", {"tdm": "http://www.w3.org/ns/tdmrep#"}],
        "@type": "Offer",
        "uid": base + POLICY_PATH,
        "profile": "http://www.w3.org/ns/tdmrep",
        "assigner": {"uid": base + "/", "vcard:fn": "The Northern Ledger",
                     "vcard:hasEmail": "rights@ledger.example"},
        "permission": [{"target": base + "/news/", "action": "tdm:mine",
                        "duty": [{"action": "compensate"}]}],
    }
    return Response(200, json.dumps(data, indent=2).encode(), "application/json")
