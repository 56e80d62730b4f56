"""Run-wide settings in one typed place, read from the environment.

Per-site crawl settings live in the sites file (pipeline/sites.py); these are the knobs that
belong to the machine or the deployment rather than to a site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_STORE = "./data"
DEFAULT_CDX_URL = "https://web.archive.org/cdx/search/cdx"
DEFAULT_REPLAY_URL = "https://web.archive.org/web/"

# Extraction profiles: how trafilatura trades precision against recall. The profile is part of
# the `extractor` value of every record, so a re-extraction under another profile is visible.
EXTRACTOR_PROFILES = ("balanced", "precision", "recall")


def _positive_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    store: str = DEFAULT_STORE  # NEWSMILL_STORE
    workers: int | None = None  # NEWSMILL_WORKERS: extraction processes (default: every core)
    extractor_profile: str = "balanced"  # NEWSMILL_EXTRACTOR_PROFILE
    cdx_url: str = DEFAULT_CDX_URL  # NEWSMILL_CDX_URL
    replay_url: str = DEFAULT_REPLAY_URL  # NEWSMILL_REPLAY_URL

    @classmethod
    def from_env(cls) -> Settings:
        profile = os.environ.get("NEWSMILL_EXTRACTOR_PROFILE", "").strip() or "balanced"
        if profile not in EXTRACTOR_PROFILES:
            raise ValueError(
                f"NEWSMILL_EXTRACTOR_PROFILE must be one of {', '.join(EXTRACTOR_PROFILES)}, "
                f"got {profile!r}"
            )
        return cls(
            store=os.environ.get("NEWSMILL_STORE", "").strip() or DEFAULT_STORE,
            workers=_positive_int("NEWSMILL_WORKERS"),
            extractor_profile=profile,
            cdx_url=os.environ.get("NEWSMILL_CDX_URL", "").strip() or DEFAULT_CDX_URL,
            replay_url=os.environ.get("NEWSMILL_REPLAY_URL", "").strip() or DEFAULT_REPLAY_URL,
        )


def settings() -> Settings:
    return Settings.from_env()
