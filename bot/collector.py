"""The cyclic garbage collector, kept out of the way of work that builds many objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a parser or an import builds its records.

    Every record leaves a few objects alive, so on a 100,000-record Kindle file the collector
    made repeated passes over a growing heap: a third of the parsing time, 3 % of writing the
    records. The work must not leave reference cycles behind in bulk: the few it makes wait
    for the next full collection. Nested pauses leave the collector to the outermost one.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Everything made meanwhile goes to the oldest generation, as if it had survived
            # the young collections: the first of them, right away, would otherwise go over
            # every record just made (a twentieth of the parse) only to find all of it alive.
            # The process's other young objects go along, to be collected in a full pass.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
