"""A small client of the Airflow 3 REST API (/api/v2) of a cluster started by scripts/cluster.sh,
for its readiness check, the end-to-end test and the benchmark.

It logs in as the simple auth manager's `admin` user (password in the cluster's passwords file)
and keeps the token for the process's lifetime; that is far below the token's expiry here.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

FINISHED = {"success", "failed"}


class ApiError(RuntimeError):
    pass


class AirflowApi:
    def __init__(self, base_url: str, passwords_file: str, user: str = "admin"):
        self.base = base_url.rstrip("/")
        self.user = user
        self.passwords_file = passwords_file
        self._token: str | None = None

    # ---- plumbing --------------------------------------------------------------------------

    def _login(self) -> str:
        password = json.loads(Path(self.passwords_file).read_text())[self.user]
        body = self._send("POST", "/auth/token", {"username": self.user, "password": password},
                          auth=False)
        return str(body["access_token"])

    def _send(self, method: str, path: str, payload: Any = None, *, auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            if self._token is None:
                self._token = self._login()
            headers["Authorization"] = f"Bearer {self._token}"
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:500]!r}") from None
        return json.loads(raw) if raw else None

    def get(self, path: str, **query: Any) -> Any:
        qs = f"?{urllib.parse.urlencode(query)}" if query else ""
        return self._send("GET", path + qs)

    # ---- what the tests and the benchmark use ----------------------------------------------

    def dag_ids(self) -> set[str]:
        return {d["dag_id"] for d in self.get("/api/v2/dags", limit=100)["dags"]}

    def set_variable(self, key: str, value: str) -> None:
        self._send("PATCH", f"/api/v2/variables/{key}", {"key": key, "value": value})

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        run = self._send("POST", f"/api/v2/dags/{dag_id}/dagRuns",
                         {"logical_date": None, "conf": conf or {}})
        return str(run["dag_run_id"])

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return list(self.get(f"/api/v2/dags/{dag_id}/dagRuns", limit=100,
                             order_by="-run_after")["dag_runs"])

    def run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return dict(self.get(f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}"))

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances"
        return list(self.get(path, limit=1000)["task_instances"])

    def tries(self, dag_id: str, run_id: str, task_id: str, map_index: int) -> list[dict]:
        path = (f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances/"
                f"{task_id}/{map_index}/tries")
        return list(self.get(path)["task_instances"])

    def wait_run(self, dag_id: str, run_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(dag_id, run_id)
            if run["state"] in FINISHED:
                return run
            time.sleep(1)
        raise ApiError(f"{dag_id} run {run_id} not finished after {timeout:.0f} s")

    def wait_new_run(self, dag_id: str, known: set[str], timeout: float) -> dict[str, Any]:
        """The first finished run of `dag_id` not in `known` (e.g. one an Asset triggered)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fresh = [r for r in self.runs(dag_id) if r["dag_run_id"] not in known]
            if fresh:
                return self.wait_run(dag_id, fresh[-1]["dag_run_id"], deadline - time.monotonic())
            time.sleep(1)
        raise ApiError(f"no new {dag_id} run after {timeout:.0f} s")
