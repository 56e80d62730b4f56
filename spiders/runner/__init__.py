"""Running a crawl: the caller's API, the crawl subprocess, its supervision and report."""
