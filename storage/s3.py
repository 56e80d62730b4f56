"""S3-compatible object storage through boto3.

Endpoint and credentials come from the standard AWS settings (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, AWS_PROFILE, ...), which boto3 reads itself.

Retries are botocore's: the `standard` mode retries throttling (SlowDown, 503), 5xx answers and
connection errors with exponential backoff and full jitter (at most 20 s a pause); `adaptive`
adds client-side rate limiting when throttled. The default here is `adaptive` with 8 attempts
(about a minute of outage before giving up); the standard AWS settings AWS_RETRY_MODE and
AWS_MAX_ATTEMPTS change that. When the budget is spent the operation raises StoreError with a
one-line reason, and the step fails as a whole (see PRODUCT.md: the store unreachable).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from newsmill.storage.base import KeyNotFound, StoreError

_MISSING = {"404", "NoSuchKey", "NotFound"}
# A conditional write that lost: the object is not (or no longer) what the writer read.
# ConditionalRequestConflict (409) is S3's answer to two conditional writes racing.
_CONDITION_FAILED = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}
DEFAULT_RETRY_MODE = "adaptive"
DEFAULT_MAX_ATTEMPTS = 8


def client_config() -> Config:
    """Retries (mode and attempts from AWS_RETRY_MODE / AWS_MAX_ATTEMPTS when set) and
    timeouts, so neither a dead endpoint nor a stalled connection hangs a step."""
    mode = os.environ.get("AWS_RETRY_MODE", "").strip() or DEFAULT_RETRY_MODE
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "").strip()
    attempts = int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_ATTEMPTS
    if mode not in ("legacy", "standard", "adaptive"):
        mode = DEFAULT_RETRY_MODE
    return Config(
        # cast: the stubs type `mode` as a Literal, checked just above.
        retries=cast(Any, {"mode": mode, "total_max_attempts": attempts}),
        connect_timeout=10,
        read_timeout=60,
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Store:
    def __init__(self, bucket: str, prefix: str = "", client: Any | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.uri = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.client = client or boto3.client("s3", config=client_config())

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, op: str, key: str, exc: Exception) -> StoreError:
        if isinstance(exc, ClientError) and _code(exc) in _MISSING:
            return KeyNotFound(key)
        return StoreError(f"{self.uri}: {op} {key!r} failed: {_one_line(exc)}")

    def put(self, key: str, data: bytes) -> None:
        # A single PUT is atomic in S3: readers never see a partial object.
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("put", key, exc) from exc

    def put_if_absent(self, key: str, data: bytes) -> bool:
        return self.put_if_match(key, data, None) is not None

    def get_versioned(self, key: str) -> tuple[bytes, str]:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            return bytes(obj["Body"].read()), str(obj["ETag"])
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("get", key, exc) from exc

    def put_if_match(self, key: str, data: bytes, version: str | None) -> str | None:
        # S3 conditional writes (If-None-Match: * since Aug 2024, If-Match since Nov 2024):
        # the compare-and-swap happens in the service, so two hosts cannot both win.
        try:
            if version is None:
                reply = self.client.put_object(Bucket=self.bucket, Key=self._key(key),
                                               Body=data, IfNoneMatch="*")
            else:
                reply = self.client.put_object(Bucket=self.bucket, Key=self._key(key),
                                               Body=data, IfMatch=version)
            return str(reply["ETag"])
        except ClientError as exc:
            # If-Match on a missing object answers 404: the version read is gone too.
            if _code(exc) in _CONDITION_FAILED or (version is not None and _code(exc) in _MISSING):
                return None
            raise self._fail("put", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("put", key, exc) from exc

    def put_file(self, key: str, path: str) -> None:
        try:
            self.client.upload_file(path, self.bucket, self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("upload", key, exc) from exc
        except Exception as exc:  # boto3.s3.transfer wraps errors in its own types
            raise StoreError(f"{self.uri}: upload {key!r} failed: {_one_line(exc)}") from exc

    def get(self, key: str) -> bytes:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            return bytes(obj["Body"].read())
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("get", key, exc) from exc

    def get_file(self, key: str, path: str) -> None:
        try:
            self.client.download_file(self.bucket, self._key(key), path)
        except ClientError as exc:
            raise self._fail("download", key, exc) from exc
        except Exception as exc:
            raise StoreError(f"{self.uri}: download {key!r} failed: {_one_line(exc)}") from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise self._fail("head", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("head", key, exc) from exc

    def list(self, prefix: str = "") -> Iterator[str]:
        full = self._key(prefix) if prefix else (self.prefix + "/" if self.prefix else "")
        strip = len(self.prefix) + 1 if self.prefix else 0
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=full
            )
            keys = [obj["Key"][strip:] for page in pages for obj in page.get("Contents", [])]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("list", prefix, exc) from exc
        return iter(sorted(keys))

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("delete", key, exc) from exc

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            raise StoreError(f"{self.uri}: bucket not usable ({_code(exc) or exc})") from exc
        except BotoCoreError as exc:
            raise StoreError(f"{self.uri}: store unreachable ({_one_line(exc)})") from exc
