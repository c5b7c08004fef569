"""Let go of rows that are finished, so memory follows the live state, not the history.

The engine keeps every row the session loaded alive (``Engine._rows``: the identity map holds
rows weakly, and re-reading the live state each action was a big cost). Finished things (a
completed conference and its participants, a call in a final state, journal-side rows a
query loaded) never change on their own again; keeping them alive made memory grow with
every conference ever run. After each ``advance`` they are released: the session keeps
them while something still references them and reads them again if anything asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..store.models import Alert, Call, Conference, JournalEntry, MediaEventRow, Participant
from .callbacks import TERMINAL_CALL_STATUSES

if TYPE_CHECKING:  # annotations only
    from collections.abc import Callable, MutableMapping, MutableSet

_BOOKS = (JournalEntry, Alert, MediaEventRow)
_CACHES = ("active_conference_by_name", "participant_by_call")


def _loaded(row: object, name: str) -> Any:
    # never loads: an expired row is simply kept. (The instance ``__dict__`` is the ORM's
    # state dict, read without ``inspect``: this runs for every kept row after each advance.)
    return row.__dict__.get(name)


def _conference_done(row: object) -> bool:
    return _loaded(row, "status") == "completed"


def _participant_gone(row: object) -> bool:
    return _loaded(row, "active") is False


def _call_over(row: object) -> bool:
    return _loaded(row, "status") in TERMINAL_CALL_STATUSES


def _book(row: object) -> bool:
    return True


# By exact class (the mapped classes are never subclassed): this runs for every kept row
# after each advance. Anything else (an account, a number) is never finished.
_FINISHED: dict[type, Callable[[object], bool]] = {
    **{cls: _book for cls in _BOOKS}, Conference: _conference_done,
    Participant: _participant_gone, Call: _call_over}


def finished(row: object) -> bool:
    check = _FINISHED.get(type(row))
    return check is not None and check(row)


def release_finished(rows: MutableSet[object], info: MutableMapping[str, Any]) -> None:
    """Drop finished rows from ``rows`` (the engine's keep-alive set) and from the
    session's lookup caches in ``info``."""
    for row in [r for r in rows if finished(r)]:
        rows.discard(row)
    for name in _CACHES:
        cache = info.get(name)
        if cache:
            for key in [k for k, row in cache.items() if finished(row)]:
                del cache[key]
