"""The raw archive: how responses are written to and read back from WARC."""
