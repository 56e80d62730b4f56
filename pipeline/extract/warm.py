"""Extraction's one-off start-up work, done once in the process that forks the workers.

The extractors build tables on first use: the language identifier's model, justext's stop lists,
compiled patterns, and dateparser's per-locale tables (htmldate's fallback for a date written in
words tries every locale on first use, about 1 s of CPU). A worker forked from a process that has
paid for them starts with them, so each of N workers does not pay again, and a replacement worker
(after a timeout or a crash) starts warm too, except for the language model: the forking process
lets go of its copy once the workers exist (`after_fork`), as it detects no languages itself.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

_PARAGRAPHS = (
    "The council voted on Tuesday to approve the harbour budget, which pays for repairs to the "
    "sea wall and a new ferry pier.",
    "Work on the wall starts in the spring, and the contractor expects to finish it before the "
    "first storms of the winter arrive.",
    "Residents who spoke at the meeting asked for the footpath along the quay to stay open while "
    "the repairs are carried out.",
    "The ferry company said the new pier would let larger boats call at the town for the first "
    "time in thirty years.",
)
# A short story with its date and author only in the text: it goes through every extractor,
# the second (recall) look at the text included; only the tables it leaves behind matter.
_SAMPLE = (
    "<html lang='en'><head><title>Council backs harbour budget</title></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Council backs harbour budget</h1>"
    "<p class='byline'>By Jane Doe</p><p>Posted on 12 May 2024</p>"
    + "".join(f"<p>{p}</p>" for p in _PARAGRAPHS)
    + "</article><footer>Copyright 2024</footer></body></html>"
).encode()

_done = False


def warm_up() -> None:
    """Build the extractors' lazy tables in this process (once; later calls return at once)."""
    global _done
    if _done:
        return
    _done = True
    try:
        from htmldate.extractors import get_external_parser

        from newsmill.pipeline.extract.page import extract_article

        extract_article(_SAMPLE, url="http://warm-up.invalid/2024/05/harbour.html", site="",
                        fetched_at="2024-05-13T00:00:00Z", source="link", raw_ref="",
                        content_type="text/html")
        # A string no locale accepts makes dateparser build every locale's tables.
        get_external_parser().get_date_data("zz 0")
    except Exception:  # an optimisation only: each worker would build the same tables itself
        log.exception("extraction warm-up failed; the workers will start cold")
    # Python's collector walks every tracked object at each full collection, in the workers
    # too: the tables are some 110,000 objects that live as long as the process. Frozen, the
    # collections skip them (on 250 tune pages in one process: 0.27 s of 10.9 s CPU went to
    # collections, 0.09 s frozen), and the collector's bookkeeping no longer writes to their
    # pages, which the forked workers then keep sharing with this process. What is garbage
    # now is collected first, since a frozen object is never collected.
    gc.collect()
    gc.freeze()


def after_fork() -> None:
    """Once the workers are forked: the largest table, the language identifier's model (74 MB),
    is theirs to keep and no longer the forking process's."""
    from newsmill.pipeline.extract.language import unload_model

    unload_model()
