"""Object storage: a local folder or an S3 bucket, chosen by URI."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsmill.storage.base import KeyNotFound, Store, StoreError, publish

__all__ = ["KeyNotFound", "Store", "StoreError", "open_store", "publish"]


def open_store(uri: str) -> Store:
    """`./data`, `/abs/path`, `file:///abs/path` -> local folder; `s3://bucket/prefix` -> S3."""
    parts = urlsplit(uri)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise StoreError(f"bad store URI {uri!r}: no bucket")
        from newsmill.storage.s3 import S3Store

        return S3Store(parts.netloc, parts.path)
    if parts.scheme == "file":
        from newsmill.storage.local import LocalStore

        return LocalStore(unquote(parts.path))
    if parts.scheme in ("", ) or (len(parts.scheme) == 1 and Path(uri).drive):
        from newsmill.storage.local import LocalStore

        return LocalStore(uri)
    raise StoreError(f"unsupported store URI {uri!r} (use a path, file:// or s3://)")
