"""The cyclic garbage collector, kept out of the way of work that builds many objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a parser or an import builds its records.

    Every record leaves a few objects alive, so the collector would make pass after pass over
    a growing heap and find nothing to free. The work must not leave reference cycles behind
    in bulk: the few it makes wait for the next full collection. Nested pauses leave the
    collector to the outermost one.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Everything made meanwhile goes to the oldest generation, as if it had survived
            # the young collections: the first of them, right away, would otherwise go over
            # every record just made only to find all of it alive.
            # The process's other young objects go along, to be collected in a full pass.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
