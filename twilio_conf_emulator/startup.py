"""Start-up of a long-running process (``serve``) without the garbage collector's cost.

Importing the package and building the server allocates tens of thousands of objects that
live as long as the process (modules, SQLAlchemy mappers, URL rules). Each of them would be
scanned by many young-generation collections on the way (about a tenth of start-up time),
and by every full collection afterwards. ``paused_gc`` runs start-up with the collector
off, then freezes what it made (``gc.freeze``: left out of later collections; the few
cycles start-up left behind stay, a constant of a few kilobytes)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No collection inside; once it succeeded, what was made is frozen; collection resumes
    as it was (a caller that had turned it off keeps it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:  # start-up failed: nothing to keep, collect as before
        if was_enabled:
            gc.enable()
        raise
    gc.freeze()
    if was_enabled:
        gc.enable()
