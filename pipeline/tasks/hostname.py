"""The host name Airflow records for a task instance, so two workers on one machine differ.

Airflow calls `[core] hostname_callable` for the name it shows in the UI and in the task
instance's `hostname`. On one machine running several Celery workers (scripts/cluster.sh) the
fully qualified domain name is the same for all, which hides which worker ran (or lost) a task;
each worker there sets NEWSMILL_WORKER_HOSTNAME. Elsewhere this is the usual FQDN.
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    return os.environ.get("NEWSMILL_WORKER_HOSTNAME", "").strip() or socket.getfqdn()
