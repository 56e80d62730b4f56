"""Runs Airflow for the DAG tests, in a process of its own.

Airflow reads AIRFLOW_HOME, the DAGs folder and the rest of its configuration once, when it is
first imported, so every test that needs Airflow runs this script in a subprocess with the
environment it wants, and reads back a JSON result:

    python tests/airflow_driver.py --home DIR migrate
    python tests/airflow_driver.py --home DIR dagbag --out result.json [--guard]
    python tests/airflow_driver.py --home DIR test DAG_ID --out result.json [--conf JSON]
        [--no-retries]

`dagbag --guard` parses the DAG files while every kind of I/O a DAG file must not do at parse
time (sockets, Variables, connections, the store, the library jobs) raises, and reports which
heavy modules and which newsmill modules the parse imported.

`test` runs `dag.test()` (every task in this process, against the SQLite metadata DB in DIR) and
reports the run's state, each task instance's state and every XCom the run pushed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DAGS = REPO / "dags"


def configure(home: str) -> None:
    # Must happen before the first `import airflow`: Airflow reads its settings at import time.
    os.environ["AIRFLOW_HOME"] = home
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/airflow.db")
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")


def migrate() -> dict[str, Any]:
    from airflow.utils.db import upgradedb

    started = time.monotonic()
    upgradedb()
    return {"seconds": round(time.monotonic() - started, 1)}


class ParseTimeIO(AssertionError):
    """A DAG file did I/O while being parsed."""


# Modules a DAG file must not import at parse time: the jobs and the store pull in Scrapy,
# trafilatura, pyarrow and boto3, which would make every scheduler parse slow.
PARSE_TIME_FORBIDDEN = (
    "newsmill.pipeline.app.jobs", "newsmill.storage", "scrapy", "trafilatura", "boto3", "botocore",
    "pyarrow", "twisted",
)


class _RefuseImports:
    """A meta-path finder that makes importing a forbidden module fail loudly."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if any(name == m or name.startswith(m + ".") for m in PARSE_TIME_FORBIDDEN):
            raise ParseTimeIO(f"import of {name} at DAG-parse time")
        return None


def _install_guards() -> None:
    import socket

    def refuse(what: str) -> Any:
        def _refuse(*args: Any, **kwargs: Any) -> Any:
            raise ParseTimeIO(f"{what} at DAG-parse time")

        return _refuse

    socket.socket.connect = refuse("network connection")  # type: ignore[method-assign]
    socket.create_connection = refuse("network connection")
    socket.getaddrinfo = refuse("DNS lookup")

    from airflow.sdk import Connection, Variable

    Variable.get = classmethod(refuse("Variable.get"))  # type: ignore[method-assign,assignment]
    Connection.get = classmethod(refuse("Connection.get"))  # type: ignore[method-assign,assignment]
    sys.meta_path.insert(0, _RefuseImports())


def dagbag(guard: bool) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    loaded_before = set(sys.modules)
    if guard:
        _install_guards()
    started = time.monotonic()
    bag = DagBag(dag_folder=str(DAGS))
    seconds = time.monotonic() - started
    if guard:
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _RefuseImports)]
    new_modules = set(sys.modules) - loaded_before
    imported = sorted(
        m for m in new_modules
        if any(m == f or m.startswith(f + ".") for f in PARSE_TIME_FORBIDDEN)
    )
    dags: dict[str, Any] = {}
    serialize_errors: dict[str, str] = {}
    for dag_id, dag in bag.dags.items():
        try:
            DagSerialization.serialize_dag(dag)
        except Exception as exc:  # reported, so the test can show it
            serialize_errors[dag_id] = f"{type(exc).__name__}: {exc}"
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "tags": sorted(dag.tags),
            "doc_md": dag.doc_md,
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "timetable": type(dag.timetable).__name__,
            "timetable_repr": repr(dag.timetable),
            "params": {k: dag.params.get_param(k).schema for k in dag.params},
            "param_defaults": {
                k: dag.params.get_param(k).value
                for k in dag.params
                if dag.params.get_param(k).has_value
            },
            "tasks": {
                t.task_id: {
                    "retries": t.retries,
                    "retry_delay": t.retry_delay.total_seconds(),
                    "retry_exponential_backoff": float(t.retry_exponential_backoff),
                    "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                    "mapped": "Mapped" in type(t).__name__,
                    "outlets": [getattr(o, "uri", str(o)) for o in t.outlets],
                    "max_active_tis_per_dag": t.max_active_tis_per_dag,
                    "upstream": sorted(t.upstream_task_ids),
                }
                for t in dag.tasks
            },
        }
    return {
        "import_errors": {str(k): v for k, v in bag.import_errors.items()},
        "serialize_errors": serialize_errors,
        "dags": dags,
        "files": sorted(p.name for p in DAGS.glob("*.py")),
        "forbidden_modules_imported": imported,
        "newsmill_modules_imported": sorted(
            m for m in new_modules if m == "newsmill" or m.startswith("newsmill.")
        ),
        "seconds": round(seconds, 2),
    }


def run_test(dag_id: str, conf: dict[str, Any] | None, no_retries: bool) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.asset import AssetEvent
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    bag = DagBag(dag_folder=str(DAGS))
    if bag.import_errors:
        return {"error": "import errors", "import_errors": bag.import_errors}
    dag = bag.get_dag(dag_id)
    if dag is None:
        return {"error": f"no DAG {dag_id!r}"}
    if no_retries:
        # Retries are the production setting (and the DagBag test checks them); here they would
        # only make a deliberately failing site cost minutes of backoff.
        for t in dag.tasks:
            t.retries = 0
    started = time.monotonic()
    dr = dag.test(run_conf=conf)
    seconds = time.monotonic() - started
    with create_session() as session:
        tis = [
            {
                "task_id": ti.task_id,
                "map_index": ti.map_index,
                "rendered_map_index": ti.rendered_map_index,
                "state": str(getattr(ti.state, "value", ti.state)),
                "try_number": ti.try_number,
            }
            for ti in dr.get_task_instances(session=session)
        ]
        rows = session.scalars(
            select(XComModel).where(XComModel.dag_id == dag_id, XComModel.run_id == dr.run_id)
        ).all()
        events = session.scalars(
            select(AssetEvent).where(
                AssetEvent.source_dag_id == dag_id, AssetEvent.source_run_id == dr.run_id
            )
        ).all()
        asset_events = [{"uri": e.uri, "extra": e.extra} for e in events]
        xcoms = [
            {
                "task_id": x.task_id,
                "map_index": x.map_index,
                "key": x.key,
                "value": _xcom_value(x.value),
            }
            for x in rows
        ]
    return {
        "dag_id": dag_id,
        "run_id": dr.run_id,
        "state": str(getattr(dr.state, "value", dr.state)),
        "tasks": sorted(tis, key=lambda t: (t["task_id"], t["map_index"])),
        "xcoms": xcoms,
        "asset_events": asset_events,
        "seconds": round(seconds, 1),
    }


def _xcom_value(raw: Any) -> Any:
    # Airflow 3 stores XCom values as JSON text in a JSON column.
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True, help="AIRFLOW_HOME (holds the SQLite DB)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate")
    p_bag = sub.add_parser("dagbag")
    p_bag.add_argument("--out", required=True)
    p_bag.add_argument("--guard", action="store_true")
    p_test = sub.add_parser("test")
    p_test.add_argument("dag_id")
    p_test.add_argument("--out", required=True)
    p_test.add_argument("--conf", default=None)
    p_test.add_argument("--no-retries", action="store_true")
    args = parser.parse_args()
    configure(os.path.abspath(args.home))
    if args.cmd == "migrate":
        result = migrate()
        out = None
    elif args.cmd == "dagbag":
        result, out = dagbag(args.guard), args.out
    else:
        conf = json.loads(args.conf) if args.conf else None
        result, out = run_test(args.dag_id, conf, args.no_retries), args.out
    text = json.dumps(result, indent=2, default=str)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
