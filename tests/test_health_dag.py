"""The `newsmill_health` DAG under a real `dag.test()`: it writes the report into the store and
fails its drift check naming the drifting site, and only that one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from test_dags_e2e import Airflow, airflow_home  # noqa: F401 (a fixture)
from test_health_drift import record_day

from newsmill.storage import open_store


def test_health_dag_writes_the_report_and_fails_naming_the_drifting_site(
    airflow_home: Path, tmp_path: Path  # noqa: F811
) -> None:
    store = open_store(str(tmp_path / "store"))
    today = datetime.now(UTC).date()
    for i in range(10, 0, -1):
        day = (today - timedelta(days=i)).isoformat()
        record_day(store, "lantern", day, with_authors=20)
        record_day(store, "harbour", day, with_authors=20)
    record_day(store, "lantern", today.isoformat(), with_authors=0, without=20)
    record_day(store, "harbour", today.isoformat(), with_authors=20)
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites: []\n")
    airflow = Airflow(airflow_home, sites, store.uri, "http://127.0.0.1:9")
    run = airflow.test("newsmill_health")
    assert run.state == "failed", run.explain()
    assert run.state_of("write_report") == "success", run.explain()
    assert run.state_of("check_drift") == "failed", run.explain()
    (error,) = run.xcoms("check_drift", key="error")
    assert "1 site(s) drift: lantern" in error and "harbour" not in error
    folder = tmp_path / "store" / "reports" / f"date={today.isoformat()}"
    data = json.loads((folder / "health.json").read_text())
    assert data["summary"]["drifting"] == ["lantern"]
    assert "lantern: authors filled 100% -&gt; 0%" in (folder / "index.html").read_text()
