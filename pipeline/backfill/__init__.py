"""Archive ingest (WARC files, the Wayback Machine) into the same extract/dedup/publish path."""
