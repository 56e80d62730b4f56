"""What the Airflow DAGs in `dags/` actually do, kept here so the DAG files stay wiring only.

Rules this module keeps:

- Nothing here runs at DAG-parse time. The DAG files import this module, so its top level imports
  only the standard library; Airflow, the store and the library jobs are imported inside the
  functions that tasks call. The scheduler parses the DAG files every few seconds, and a parse
  that touched a Variable, the bucket or Scrapy would be slow and would fail when they are down.
- Every task calls the same `pipeline.app.jobs` function the CLI calls; this module only chooses the
  arguments (from Airflow Variables, params and upstream results) and turns a job's report into a
  task state an operator can read.
- The pure helpers (chunking, marker keys, date choice, connection -> environment) take plain
  values so they can be tested without Airflow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, NoReturn, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)

VAR_SITES = "newsmill_sites"
VAR_STORE = "newsmill_store"
CONN_S3 = "newsmill_s3"

ARTICLES_ASSET_NAME = "articles"
ARTICLES_ASSET_URI = "newsmill://articles"

TAGS = ["newsmill"]
BACKFILL_SOURCES = ("sitemap", "warc", "wayback")
OUTCOME_KEY = "outcome"
SUMMARY_KEY = "summary"
ERROR_KEY = "error"

# The scheduler refuses to expand a mapped task over more items than [core] max_map_length
# (1024 by default); planning fails earlier, with advice, instead.
DEFAULT_MAX_CHUNKS = 1024


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
        "retries": _env_int("NEWSMILL_TASK_RETRIES", 2, minimum=2),
        "retry_delay": timedelta(seconds=_env_int("NEWSMILL_RETRY_DELAY_SECONDS", 60, minimum=1)),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
    }


def crawl_schedule() -> str:
    return os.environ.get("NEWSMILL_CRAWL_SCHEDULE", "@hourly")


def dump_schedule() -> str:
    """Daily safety net for the dump DAG, shortly after midnight UTC to close yesterday."""
    return os.environ.get("NEWSMILL_DUMP_SCHEDULE", "30 0 * * *")


def crawl_concurrency() -> int:
    """How many crawl subprocesses (one Scrapy process each) may run at once across all runs."""
    return _env_int("NEWSMILL_CRAWL_CONCURRENCY", 4, minimum=1)


def backfill_concurrency() -> int:
    """Backfill chunks of a run hit the same site, so by default they run one after another."""
    return _env_int("NEWSMILL_BACKFILL_CONCURRENCY", 1, minimum=1)


def _env_int(name: str, default: int, *, minimum: int) -> int:
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
# run-time settings: Airflow Variables and the newsmill_s3 connection


@dataclasses.dataclass(frozen=True)
class Settings:
    sites_path: str
    store_uri: str


def settings(*, need_sites: bool = True) -> Settings:
    """Read the Variables `newsmill_sites` and `newsmill_store` (also AIRFLOW_VAR_NEWSMILL_*)."""
    store = _variable(VAR_STORE)
    if store is None:
        _fail(_missing_variable(VAR_STORE, "the store URI, e.g. s3://bucket/newsmill"))
    sites = _variable(VAR_SITES)
    if sites is None and need_sites:
        _fail(_missing_variable(VAR_SITES, "the path of the sites file on the workers"))
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


def aws_env_from_connection(
    login: str | None,
    password: str | None,
    extra: Mapping[str, Any] | None,
    host: str | None = None,
) -> dict[str, str]:
    """Map an Airflow `aws` connection onto the environment variables boto3 reads itself.

    The store opens its own boto3 client, and crawls run in a subprocess, so the environment is
    the one channel that reaches both. Only what the connection sets is returned: anything it
    leaves out keeps coming from the worker's own AWS settings.
    """
    extra = dict(extra or {})
    env: dict[str, str] = {}
    key_id = login or extra.get("aws_access_key_id")
    secret = password or extra.get("aws_secret_access_key")
    if key_id:
        env["AWS_ACCESS_KEY_ID"] = str(key_id)
    if secret:
        env["AWS_SECRET_ACCESS_KEY"] = str(secret)
    if extra.get("aws_session_token"):
        env["AWS_SESSION_TOKEN"] = str(extra["aws_session_token"])
    endpoint = extra.get("endpoint_url") or (host if host and "://" in host else None)
    if endpoint:
        env["AWS_ENDPOINT_URL"] = str(endpoint)
    region = extra.get("region_name") or extra.get("region")
    if region:
        env["AWS_DEFAULT_REGION"] = str(region)
    return env


@contextlib.contextmanager
def aws_environment(store_uri: str) -> Iterator[dict[str, str]]:
    """Export the `newsmill_s3` connection, if there is one, while a job runs against S3.

    The previous values are put back afterwards: `dag.test()` runs every task in one process, and
    a worker may reuse its process, so a task must not leave its credentials behind.
    """
    env = _connection_env() if store_uri.startswith("s3://") else {}
    saved = {k: os.environ.get(k) for k in (*env, "AWS_SESSION_TOKEN")}
    os.environ.update(env)
    if "AWS_SECRET_ACCESS_KEY" in env and "AWS_SESSION_TOKEN" not in env:
        # A worker's own temporary token would not match the connection's static keys.
        os.environ.pop("AWS_SESSION_TOKEN", None)
    try:
        yield env
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _connection_env() -> dict[str, str]:
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(CONN_S3)
    except AirflowNotFoundException:
        log.info("no Airflow connection %r: using the worker's AWS settings", CONN_S3)
        return {}
    # Without the Amazon provider installed, `airflow connections add --conn-type aws` stores the
    # type as "generic"; the fields mean the same, so both are fine.
    if conn.conn_type not in (None, "", "aws", "generic"):
        log.warning("connection %r has type %r, expected 'aws'", CONN_S3, conn.conn_type)
    env = aws_env_from_connection(conn.login, conn.password, conn.extra_dejson, conn.host)
    log.info("S3 settings from connection %r: %s", CONN_S3, ", ".join(sorted(env)) or "none")
    return env


# --------------------------------------------------------------------------------------------
# failing a task with a reason


def _fail(message: str, *, retry: bool = False) -> NoReturn:
    """Raise the Airflow exception that fails the task; `retry=False` skips the retries."""
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    raise (AirflowException if retry else AirflowFailException)(message)


def _context() -> Any:
    from airflow.sdk import get_current_context

    return get_current_context()


def _counts(report: Any, site: str) -> dict[str, Any]:
    counts = getattr(report, "sites", {}).get(site)
    if counts is None:
        return {}
    if dataclasses.is_dataclass(counts) and not isinstance(counts, type):
        return dataclasses.asdict(counts)
    return dict(counts)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _reason(exc: BaseException) -> str:
    # Airflow's own exceptions already carry a readable message; others need their type.
    name = type(exc).__name__
    return _short(str(exc) if name.startswith("Airflow") else f"{name}: {exc}")


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Push a failing task's reason as the XCom `error`, for the run's `finish` task to quote."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            with contextlib.suppress(Exception):  # never hide the real error behind this one
                _context()["ti"].xcom_push(key=ERROR_KEY, value=_reason(exc))
            raise

    return wrapper


# --------------------------------------------------------------------------------------------
# newsmill_crawl


@reports_errors
def list_sites() -> list[str]:
    """Site names from the sites file, read when the run starts (so edits need no redeploy)."""
    from newsmill.pipeline.sites import SitesFileError, load_sites

    cfg = settings()
    try:
        sites = load_sites(cfg.sites_path)
    except SitesFileError as exc:
        _fail(f"bad sites file: {exc}")
    names = [s.name for s in sites.sites]
    log.info("%d site(s) in %s: %s", len(names), cfg.sites_path, ", ".join(names))
    return names


def crawl_site(site: str) -> dict[str, Any]:
    """Crawl one site in its own Scrapy subprocess; fail this mapped task if the site failed.

    The outcome is pushed as an XCom before failing, so the run's `finish` task can say which
    site failed and why without digging through logs.
    """
    from newsmill.pipeline.app import jobs

    ti = _context()["ti"]
    outcome: dict[str, Any] = {"label": site, "task": ti.task_id, "map_index": ti.map_index}
    try:
        cfg = settings()
        with aws_environment(cfg.store_uri):
            report = jobs.crawl(cfg.sites_path, cfg.store_uri, sites=[site])
    except Exception as exc:
        outcome.update(ok=False, reason=_reason(exc))
        ti.xcom_push(key=OUTCOME_KEY, value=outcome)
        raise
    reason = report.failures.get(site) or "; ".join(report.failures.values())
    outcome.update(
        ok=not reason,
        reason=_short(reason) if reason else None,
        run_id=report.run_id,
        fetched=_counts(report, site).get("fetched", 0),
    )
    ti.xcom_push(key=OUTCOME_KEY, value=outcome)
    if reason:
        _fail(f"site {site!r}: crawl failed: {reason} (newsmill run {report.run_id})", retry=True)
    log.info("site %s: %s", site, json.dumps(outcome))
    return outcome


@reports_errors
def process_articles(*, emit_asset: bool) -> list[str]:
    """Extract, normalise and deduplicate every raw capture not yet processed.

    Returns the ingestion dates that changed (what a dump must republish; a list so the dump task
    can be mapped over it) and pushes a summary under the XCom key `summary` for `finish`. With
    `emit_asset`, the dates also ride on the `articles` Asset event, so the dump DAG republishes
    exactly those partitions.
    """
    from newsmill.pipeline.app import jobs

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        report = jobs.process(cfg.store_uri, sites_path=cfg.sites_path or None)
        pending = [] if emit_asset else jobs.pending_dump_dates(cfg.store_uri)
    # The backfill DAG's warc and wayback chunks process what they read themselves (to keep
    # only the range): the dates they changed are the ones whose dumps are out of date.
    dates = sorted(set(report.dates) | set(pending))
    summary: dict[str, Any] = {
        "run_id": report.run_id,
        "dates": dates,
        "articles": sum(_counts(report, s).get("articles", 0) for s in report.sites),
        "quarantined": sum(_counts(report, s).get("quarantined", 0) for s in report.sites),
        "failures": dict(report.failures),
    }
    ctx = _context()
    ctx["ti"].xcom_push(key=SUMMARY_KEY, value=summary)
    if emit_asset:
        ctx["outlet_events"][articles_asset()].extra = {"dates": dates, "run_id": report.run_id}
    log.info("processed: %s", json.dumps(summary))
    # A page that yields no article is quarantined, not a failure. A failure in the report means
    # a whole site could not be processed: `finish` reports it, after the Asset event above has
    # let the good dates be published.
    return dates


# --------------------------------------------------------------------------------------------
# dumps


def parse_day(value: Any, what: str = "date") -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise OrchestrationError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def dates_from_events(events: Iterable[Any]) -> list[str] | None:
    """Union of the `dates` carried by asset events; None when no event carried any."""
    found: set[str] = set()
    any_dates = False
    for event in events:
        extra = getattr(event, "extra", None) or {}
        dates = extra.get("dates") if isinstance(extra, Mapping) else None
        if isinstance(dates, list):
            any_dates = True
            found.update(parse_day(d).isoformat() for d in dates)
    return sorted(found) if any_dates else None


@reports_errors
def dates_to_dump() -> list[str]:
    """Which ingestion dates this dump run publishes, most specific source first.

    1. `dates` (or `date`) in the run's conf: an operator republishing by hand;
    2. the dates on the triggering `articles` Asset events: what the crawls changed;
    3. otherwise (the daily timer, or events without dates): every date whose articles changed
       since its partition was last published (the library keeps that list), so a dump missed
       for any reason is caught up by the next daily run.
    """
    ctx = _context()
    conf = dict(getattr(ctx.get("dag_run"), "conf", None) or {})
    if conf.get("dates") is not None or conf.get("date") is not None:
        raw = conf.get("dates") if conf.get("dates") is not None else [conf["date"]]
        if not isinstance(raw, list):
            _fail(f"conf 'dates' must be a list of YYYY-MM-DD strings, got {raw!r}")
        try:
            days = sorted({parse_day(d).isoformat() for d in raw})
        except OrchestrationError as exc:
            _fail(str(exc))
        log.info("dates from the run conf: %s", days)
        return days
    events = [e for evs in (ctx.get("triggering_asset_events") or {}).values() for e in evs]
    from_events = dates_from_events(events)
    if from_events is not None:
        log.info("dates from %d asset event(s): %s", len(events), from_events)
        return from_events
    from newsmill.pipeline.app import jobs

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        days = jobs.pending_dump_dates(cfg.store_uri)
    log.info("no dates given: publishing %s", days or "nothing (no partition out of date)")
    return days


@reports_errors
def dump_partition(day: str) -> dict[str, Any]:
    """Publish `dumps/date=<day>/`; the library writes the manifest last."""
    from newsmill.pipeline.app import jobs

    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        manifest = jobs.dump(cfg.store_uri, parse_day(day).isoformat())
    manifest = dict(manifest or {})
    summary = {
        "date": day,
        "rows": manifest.get("row_count"),
        "sites": manifest.get("sites"),
        "unchanged": bool(manifest.get("unchanged", False)),
    }
    verb = "already up to date" if summary["unchanged"] else "published"
    log.info("dumps/date=%s %s: %s", day, verb, json.dumps(summary, default=str))
    return summary


# --------------------------------------------------------------------------------------------
# newsmill_backfill


def split_range(date_from: date, date_to: date, chunk_days: int) -> list[tuple[date, date]]:
    """[from, to] (both inclusive) as consecutive inclusive chunks of at most `chunk_days` days."""
    if chunk_days < 1:
        raise OrchestrationError(f"chunk_days must be at least 1, got {chunk_days}")
    check_range(date_from, date_to)
    chunks = []
    start = date_from
    while start <= date_to:
        end = min(start + timedelta(days=chunk_days - 1), date_to)
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise OrchestrationError(f"'from' {date_from} is after 'to' {date_to}")


def marker_key(
    site: str, source: str, date_from: str, date_to: str, warc: str | None = None
) -> str:
    """Where a finished chunk is recorded, so a rerun of the same backfill skips it.

    The source is part of the key: a sitemap pass over a range says nothing about what a Wayback
    pass over the same range would find. A WARC chunk is one file, named by a hash of its path.
    """
    base = f"state/backfill/{site}/{source}/"
    if warc is not None:
        digest = hashlib.sha256(warc.encode("utf-8")).hexdigest()[:16]
        return f"{base}{date_from}_{date_to}_{digest}.done"
    return f"{base}{date_from}_{date_to}.done"


def plan_chunks(params: Mapping[str, Any], *, max_chunks: int = DEFAULT_MAX_CHUNKS) -> list[dict]:
    """Validated backfill params -> one dict per chunk, the unit a mapped task runs and retries.

    `sitemap` and `wayback` split the date range into `chunk_days` windows. `warc` splits by file
    instead: each chunk reads one WARC for the whole range, because date windows would make every
    chunk read every file.
    """
    site = str(params.get("site") or "").strip()
    if not site:
        raise OrchestrationError("param 'site' is required")
    source = str(params.get("source") or "sitemap")
    if source not in BACKFILL_SOURCES:
        raise OrchestrationError(f"param 'source' must be one of {', '.join(BACKFILL_SOURCES)}")
    if params.get("from") in (None, "") or params.get("to") in (None, ""):
        raise OrchestrationError("params 'from' and 'to' are required (YYYY-MM-DD)")
    date_from = parse_day(params["from"], "param 'from'")
    date_to = parse_day(params["to"], "param 'to'")
    warc = [str(w) for w in (params.get("warc") or [])]
    if source == "warc" and not warc:
        raise OrchestrationError("source 'warc' needs at least one path or URI in param 'warc'")
    chunk_days = int(params.get("chunk_days") or 7)
    common = {
        "site": site,
        "source": source,
        "cdx_url": params.get("cdx_url") or None,
        "replay_url": params.get("replay_url") or None,
    }
    chunks: list[dict] = []
    if source == "warc":
        check_range(date_from, date_to)
        for path in warc:
            chunks.append(
                {
                    **common,
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                    "warc": [path],
                    "label": f"{site} {os.path.basename(path.rstrip('/')) or path}",
                    "marker": marker_key(
                        site, source, date_from.isoformat(), date_to.isoformat(), path
                    ),
                }
            )
    else:
        for start, end in split_range(date_from, date_to, chunk_days):
            chunks.append(
                {
                    **common,
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "warc": [],
                    "label": f"{site} {start}..{end}",
                    "marker": marker_key(site, source, start.isoformat(), end.isoformat()),
                }
            )
    if len(chunks) > max_chunks:
        raise OrchestrationError(
            f"{len(chunks)} chunks is more than the {max_chunks} one run can map; "
            "raise 'chunk_days' or split the range into several runs"
        )
    return chunks


@reports_errors
def backfill_chunks() -> list[dict]:
    """Task: read and check the run's params (the site must exist) and return the chunks."""
    from newsmill.pipeline.sites import SitesFileError, load_sites

    params = dict(_context()["params"])
    cfg = settings()
    try:
        max_chunks = _max_map_length()
        chunks = plan_chunks(params, max_chunks=max_chunks)
        load_sites(cfg.sites_path).site(chunks[0]["site"])
    except (OrchestrationError, SitesFileError) as exc:
        _fail(f"backfill not started: {exc}")
    log.info(
        "backfill %s %s..%s from %s: %d chunk(s)",
        params.get("site"), params.get("from"), params.get("to"), params.get("source"), len(chunks),
    )
    return chunks


def _max_map_length() -> int:
    try:
        from airflow.sdk import conf

        return int(conf.getint("core", "max_map_length", fallback=DEFAULT_MAX_CHUNKS))
    except Exception:  # configuration unavailable: keep Airflow's documented default
        return DEFAULT_MAX_CHUNKS


def run_backfill_chunk(chunk: Mapping[str, Any]) -> dict[str, Any]:
    """Backfill one chunk unless its marker says an earlier run already did it."""
    ctx = _context()
    ti = ctx["ti"]
    outcome: dict[str, Any] = {
        "label": chunk["label"], "task": ti.task_id, "map_index": ti.map_index,
        "marker": chunk["marker"], "skipped": False,
    }
    from newsmill.pipeline.app.jobs import InvalidArguments

    try:
        outcome.update(_backfill_chunk(chunk, redo=bool(ctx["params"].get("redo", False)),
                                       airflow_run_id=str(ctx["run_id"])))
    except InvalidArguments as exc:
        # A wrong request stays wrong: fail now instead of spending the retries on it.
        outcome.update(ok=False, reason=_reason(exc))
        ti.xcom_push(key=OUTCOME_KEY, value=outcome)
        _fail(f"backfill chunk {chunk['label']}: {exc}")
    except Exception as exc:
        outcome.update(ok=False, reason=_reason(exc))
        ti.xcom_push(key=OUTCOME_KEY, value=outcome)
        raise
    ti.xcom_push(key=OUTCOME_KEY, value=outcome)
    if not outcome["ok"]:
        _fail(f"backfill chunk {chunk['label']} failed: {outcome['reason']}", retry=True)
    return outcome


def _backfill_chunk(chunk: Mapping[str, Any], *, redo: bool, airflow_run_id: str) -> dict:
    from newsmill.pipeline.app import jobs
    from newsmill.storage import open_store

    cfg = settings()
    with aws_environment(cfg.store_uri):
        store = open_store(cfg.store_uri)
        if not redo and store.exists(chunk["marker"]):
            log.info("chunk %s already done (%s): skipped", chunk["label"], chunk["marker"])
            return {"ok": True, "skipped": True, "reason": None}
        report = jobs.backfill(
            cfg.sites_path,
            cfg.store_uri,
            site=chunk["site"],
            date_from=parse_day(chunk["from"]),
            date_to=parse_day(chunk["to"]),
            source=chunk["source"],
            warc=list(chunk.get("warc") or []) or None,
            cdx_url=chunk.get("cdx_url"),
            replay_url=chunk.get("replay_url"),
        )
        reason = "; ".join(f"{k}: {v}" for k, v in report.failures.items())
        counts = _counts(report, chunk["site"])
        unserved = counts.get("retryable", 0)
        if unserved and not reason:
            # Captures the archive could not serve this time (network, 5xx): the chunk is not
            # done. The next run skips what this one archived (the wayback ledger) and asks for
            # these again. A 404 is final and does not hold the chunk open.
            log.warning(
                "chunk %s: %d captures not served; left unmarked so the next run retries them",
                chunk["label"],
                unserved,
            )
        if not reason and not unserved:
            # Written only once the job succeeded: a crash before this line reruns the chunk,
            # which the crawl ledger makes cheap and free of duplicates.
            marker = {
                **{k: chunk[k] for k in ("site", "source", "from", "to", "warc")},
                "newsmill_run_id": report.run_id,
                "airflow_run_id": airflow_run_id,
                "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "counts": counts,
            }
            store.put(chunk["marker"], json.dumps(marker, indent=2).encode("utf-8"))
    return {
        "ok": not reason,
        "reason": _short(reason) if reason else None,
        "run_id": report.run_id,
        "fetched": counts.get("fetched", 0),
        "unserved": unserved,
    }


# --------------------------------------------------------------------------------------------
# newsmill_reextract


@reports_errors
def reextract() -> list[str]:
    """Re-run extraction over the raw WARC of the ingestion dates in the run's params.

    Returns the ingestion dates whose records changed, for the dump task to map over.
    """
    from newsmill.pipeline.app import jobs

    ctx = _context()
    params = ctx["params"]
    try:
        date_from = parse_day(params.get("from"), "param 'from'")
        date_to = parse_day(params.get("to"), "param 'to'")
        check_range(date_from, date_to)
    except OrchestrationError as exc:
        _fail(f"re-extraction not started: {exc}")
    cfg = settings(need_sites=False)
    with aws_environment(cfg.store_uri):
        report = jobs.reextract(
            cfg.store_uri, date_from=date_from, date_to=date_to,
            sites_path=cfg.sites_path or None,
        )
    summary = {
        "run_id": report.run_id,
        "dates": sorted(set(report.dates)),
        "failures": dict(report.failures),
    }
    ctx["ti"].xcom_push(key=SUMMARY_KEY, value=summary)
    if report.failures:
        _fail(f"re-extraction failed: {json.dumps(report.failures)}", retry=True)
    log.info("re-extracted: %s", json.dumps(summary))
    return list(summary["dates"])


# --------------------------------------------------------------------------------------------
# the last task of a run: say what failed, and fail the run if anything did


def summarise_run(
    states: Mapping[str, Any],
    outcomes: Iterable[Mapping[str, Any]],
    errors: Mapping[str, str],
    processed: Mapping[str, Any] | None,
    *,
    dag_id: str,
    noun: str,
) -> tuple[list[str], dict[str, Any]]:
    """(problems, summary) of a finished run.

    `states` maps `task_id` or `task_id_<map_index>` to a state, as Airflow's `get_task_states`
    returns them, and decides what failed (a killed task pushes nothing). `outcomes` (pushed by
    the mapped tasks) say which site or chunk a failed task was, and why; `errors` has the reason
    other failed tasks pushed, by the same keys.
    """
    by_ti = {f"{o['task']}_{o['map_index']}": o for o in outcomes if o}
    problems: list[str] = []
    failed: list[str] = []
    not_run: list[str] = []
    for ti_key, state in sorted(states.items()):
        state = str(getattr(state, "value", state))
        if state == "upstream_failed":
            not_run.append(ti_key)
        elif state == "failed":
            outcome = by_ti.get(ti_key)
            if outcome is not None:
                failed.append(outcome["label"])
                problems.append(f"{outcome['label']}: {outcome.get('reason') or 'failed'}")
            else:
                problems.append(f"{ti_key}: {errors.get(ti_key) or 'failed (see its task log)'}")
    for site, reason in sorted(((processed or {}).get("failures") or {}).items()):
        problems.append(f"processing {site}: {reason}")
    if not_run:
        # Only worth saying when the cause is not already listed above.
        problems.append(f"not run after an upstream failure: {', '.join(not_run)}")
    ok = sorted(o["label"] for o in by_ti.values() if o.get("ok") and o["label"] not in failed)
    summary = {
        "dag_id": dag_id,
        noun: {"ok": ok, "failed": sorted(failed)},
        "dates": list((processed or {}).get("dates") or []),
        "problems": problems,
    }
    return problems, summary


def failure_message(dag_id: str, noun: str, problems: list[str], summary: Mapping[str, Any]) -> str:
    failed, ok = summary[noun]["failed"], summary[noun]["ok"]
    if failed:
        head = f"{dag_id}: {len(failed)} of {len(failed) + len(ok)} {noun} failed"
    else:
        head = f"{dag_id}: run failed"
    return f"{head}: " + "; ".join(problems)


def finish_run(*, mapped_task: str, noun: str) -> dict[str, Any]:
    """Fail the run, with one readable line, if any task of it failed; else return a summary.

    Airflow decides a run's state from its last tasks only, and processing deliberately runs
    after a site has failed, so without this task a run with a broken site would end green.
    """
    ctx = _context()
    ti = ctx["ti"]
    dag_id, run_id = ti.dag_id, ti.run_id
    states = dict((ti.get_task_states(dag_id=dag_id, run_ids=[run_id]) or {}).get(run_id) or {})
    states.pop(ti.task_id, None)
    raw = ti.xcom_pull(task_ids=mapped_task, key=OUTCOME_KEY)
    outcomes = [o for o in (raw if isinstance(raw, list) else [raw]) if isinstance(o, dict)]
    errors: dict[str, str] = {}
    for ti_key, state in states.items():
        if str(getattr(state, "value", state)) == "failed" and ti_key in set(ti.task.dag.task_ids):
            error = ti.xcom_pull(task_ids=ti_key, key=ERROR_KEY)
            if error:
                errors[ti_key] = str(error)
    processed = ti.xcom_pull(task_ids="process_articles", key=SUMMARY_KEY)
    problems, summary = summarise_run(
        states, outcomes, errors, processed if isinstance(processed, dict) else None,
        dag_id=dag_id, noun=noun,
    )
    log.info("run summary: %s", json.dumps(summary))
    if problems:
        _fail(failure_message(dag_id, noun, problems, summary))
    return summary
