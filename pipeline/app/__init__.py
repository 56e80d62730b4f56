"""The application layer: jobs the CLI and DAGs call, processing, runs, leases, pools."""
