"""The bundled demo news sites (two publishers and an off-domain host) served on loopback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsmill.pipeline.demo.model import ExpectedArticle, RequestLog

if TYPE_CHECKING:
    from newsmill.pipeline.demo.server import DemoServer

__all__ = ["DemoServer", "ExpectedArticle", "RequestLog"]


def __getattr__(name: str) -> Any:
    # Imported lazily so `python -m newsmill.pipeline.demo.server` does not load it twice.
    if name == "DemoServer":
        from newsmill.pipeline.demo.server import DemoServer

        return DemoServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
