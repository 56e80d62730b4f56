"""`newsmill.pipeline`: everything after the fetch, one folder per stage in the order a page
travels (`warc` -> `extract` -> `dedup` -> `publish`; `backfill` feeds archives into the same
path), plus the application layer (`app`: jobs, processing, CLI, runs, leases) and the Airflow
task logic (`tasks`)."""
