"""Operator health: per-site daily figures kept while processing, drift against each site's own
history, and the static report (`newsmill report`, the `newsmill_health` DAG)."""
