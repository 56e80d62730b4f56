"""A local folder as the store: the embedded default."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from newsmill.storage.base import KeyNotFound, StoreError


class LocalStore:
    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.uri = self.root.as_uri()

    def _path(self, key: str) -> Path:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise StoreError(f"bad key {key!r}")
        return self.root / key

    def _atomic_write(self, key: str, write: Callable[[BinaryIO], object]) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A temp file in the same folder, then rename: a crash leaves the old file or none.
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put(self, key: str, data: bytes) -> None:
        self._atomic_write(key, lambda fh: fh.write(data))

    def put_if_absent(self, key: str, data: bytes) -> bool:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            # link() fails if the target exists, which makes create-if-absent atomic.
            os.link(tmp, target)
            return True
        except FileExistsError:
            return False
        finally:
            Path(tmp).unlink(missing_ok=True)

    # ---- compare-and-swap (the lease, the dedup manifest) --------------------------------

    @staticmethod
    def _version(data: bytes) -> str:
        # The content's hash stands in for S3's ETag: it changes whenever the bytes do.
        return hashlib.sha256(data).hexdigest()

    @staticmethod
    @contextmanager
    def _folder_lock(folder: Path) -> Iterator[None]:
        """An exclusive OS lock (flock) on the key's folder, held while one compare-and-swap
        reads and replaces a file in it; released by the OS if the process dies."""
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing drops the lock

    def get_versioned(self, key: str) -> tuple[bytes, str]:
        data = self.get(key)
        return data, self._version(data)

    def put_if_match(self, key: str, data: bytes, version: str | None) -> str | None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._folder_lock(target.parent):
            if version is None:
                # link() creates only if absent, also against writers that take no lock.
                return self._version(data) if self.put_if_absent(key, data) else None
            try:
                current = self._version(target.read_bytes())
            except (FileNotFoundError, IsADirectoryError):
                return None
            if current != version:
                return None
            self._atomic_write(key, lambda fh: fh.write(data))
        return self._version(data)

    def put_file(self, key: str, path: str) -> None:
        def copy(fh: BinaryIO) -> None:
            with open(path, "rb") as src:
                shutil.copyfileobj(src, fh)

        self._atomic_write(key, copy)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise KeyNotFound(key) from exc

    def get_file(self, key: str, path: str) -> None:
        src = self._path(key)
        if not src.is_file():
            raise KeyNotFound(key)
        shutil.copyfile(src, path)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        # Only the folder the prefix names is walked: listing state/pending/ must not cost a
        # walk over every raw file ever archived.
        folder, _, start = prefix.rpartition("/")
        top = self._path(folder) if folder else self.root
        if not top.is_dir():
            return iter(())
        keys = []
        for dirpath, dirs, files in os.walk(top):
            if start and dirpath == str(top):
                # The prefix's last part ("date=2026-" in raw/site=a/date=2026-) picks entries.
                dirs[:] = [d for d in dirs if d.startswith(start)]
                files = [f for f in files if f.startswith(start)]
            for name in files:
                if name.startswith(".tmp-"):
                    continue
                key = os.path.relpath(os.path.join(dirpath, name), self.root).replace(os.sep, "/")
                keys.append(key)
        return iter(sorted(keys))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot use {self.root}: {exc.strerror or exc}") from exc
        if not os.access(self.root, os.W_OK):
            raise StoreError(f"cannot write to {self.root}")
