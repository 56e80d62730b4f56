"""Raw first: every response archived as WARC before anything else, and the seen-URL ledger."""
