"""The `newsmill_s3` Airflow connection, exported as the AWS settings boto3 reads itself."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

log = logging.getLogger(__name__)

CONN_S3 = "newsmill_s3"


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
    env = connection_env() if store_uri.startswith("s3://") else {}
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


def connection_env() -> dict[str, str]:
    """The connection `newsmill_s3` as AWS environment variables; empty when it is not set."""
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
