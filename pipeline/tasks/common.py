"""What every newsmill DAG's tasks share: settings, Variables, and failing a task with a reason.

Rules the modules of this package keep:

- Nothing here runs at DAG-parse time. The DAG files import these modules, so their top level
  imports only the standard library (and each other); Airflow, the store and the library jobs
  are imported inside the functions that tasks call. The scheduler parses the DAG files every few
  seconds, and a parse that touched a Variable, the bucket or Scrapy would be slow and would fail
  when they are down.
- Every task calls the same `newsmill.pipeline.app.jobs` function the CLI calls; these modules
  only choose the arguments (from Airflow Variables, params and upstream results) and turn a
  job's report into a task state an operator can read.
- The pure helpers (chunking, marker keys, date choice, connection -> environment) take plain
  values so they can be tested without Airflow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NoReturn, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

VAR_SITES = "newsmill_sites"
VAR_STORE = "newsmill_store"

ARTICLES_ASSET_NAME = "articles"
ARTICLES_ASSET_URI = "newsmill://articles"

TAGS = ["newsmill"]
OUTCOME_KEY = "outcome"
SUMMARY_KEY = "summary"
ERROR_KEY = "error"


class OrchestrationError(RuntimeError):
    """A task cannot do its work; the message is the one-line reason shown in the task log."""


# --------------------------------------------------------------------------------------------
# parse-time settings: environment only (never Variables, never the store)


def default_args() -> dict[str, Any]:
    """Retries with real exponential backoff for every task.

    Airflow 3.3 reads `retry_exponential_backoff` as a multiplier: `True` would be 1.0, i.e. a
    constant delay, so 2.0 is spelled out. Fetches fail transiently (a site's 503, a bucket
    hiccup); two retries, 1 then 2+ minutes apart, absorb that without hiding a real outage.
    """
    return {
        "owner": "newsmill",
        "retries": env_int("NEWSMILL_TASK_RETRIES", 2, minimum=2),
        "retry_delay": timedelta(seconds=env_int("NEWSMILL_RETRY_DELAY_SECONDS", 60, minimum=1)),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
    }


def env_int(name: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OrchestrationError(f"{name}={raw!r} is not a whole number") from None
    return max(value, minimum)


def articles_asset() -> Any:
    """The Asset the crawl DAG updates and the dump DAG is scheduled on."""
    from airflow.sdk import Asset

    return Asset(name=ARTICLES_ASSET_NAME, uri=ARTICLES_ASSET_URI, group="newsmill")


# --------------------------------------------------------------------------------------------
# run-time settings: Airflow Variables


@dataclasses.dataclass(frozen=True)
class Settings:
    sites_path: str
    store_uri: str


def settings(*, need_sites: bool = True) -> Settings:
    """Read the Variables `newsmill_sites` and `newsmill_store` (also AIRFLOW_VAR_NEWSMILL_*)."""
    store = _variable(VAR_STORE)
    if store is None:
        fail(_missing_variable(VAR_STORE, "the store URI, e.g. s3://bucket/newsmill"))
    sites = _variable(VAR_SITES)
    if sites is None and need_sites:
        fail(_missing_variable(VAR_SITES, "the path of the sites file on the workers"))
    return Settings(sites_path=sites or "", store_uri=str(store))


def _variable(key: str) -> str | None:
    from airflow.sdk import Variable

    value = Variable.get(key, default=None)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _missing_variable(key: str, what: str) -> str:
    return (
        f"Airflow Variable {key!r} is not set ({what}): set it under Admin > Variables, "
        f"or export AIRFLOW_VAR_{key.upper()} in the environment of the scheduler and workers"
    )


# --------------------------------------------------------------------------------------------
# dates in params and confs


def parse_day(value: Any, what: str = "date") -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise OrchestrationError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise OrchestrationError(f"'from' {date_from} is after 'to' {date_to}")


# --------------------------------------------------------------------------------------------
# failing a task with a reason


def fail(message: str, *, retry: bool = False) -> NoReturn:
    """Raise the Airflow exception that fails the task; `retry=False` skips the retries."""
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    raise (AirflowException if retry else AirflowFailException)(message)


def context() -> Any:
    from airflow.sdk import get_current_context

    return get_current_context()


def site_counts(report: Any, site: str) -> dict[str, Any]:
    """One site's counts from a job report, as a plain dict (empty if the site is missing)."""
    counts = getattr(report, "sites", {}).get(site)
    if counts is None:
        return {}
    if dataclasses.is_dataclass(counts) and not isinstance(counts, type):
        return dataclasses.asdict(counts)
    return dict(counts)


def short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reason(exc: BaseException) -> str:
    # Airflow's own exceptions already carry a readable message; others need their type.
    name = type(exc).__name__
    return short(str(exc) if name.startswith("Airflow") else f"{name}: {exc}")


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Push a failing task's reason as the XCom `error`, for the run's `finish` task to quote."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            with contextlib.suppress(Exception):  # never hide the real error behind this one
                context()["ti"].xcom_push(key=ERROR_KEY, value=reason(exc))
            raise

    return wrapper
