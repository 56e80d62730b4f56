"""newsmill: news sites in, clean deduplicated article dumps out.

The repository keeps one folder per part (`spiders/`, `pipeline/`, `storage/`); the build maps
them into this one import package (`newsmill.spiders`, `newsmill.pipeline`, `newsmill.storage`)
so that nothing generic lands in a user's site-packages next to their own DAGs.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsmill")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
