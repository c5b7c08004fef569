"""Bounds on a world's engine (README "Bounds"): how far the clock may go, how much of an
answer is journaled, and a run that ends while other threads keep calling the REST API.

Actions other threads' REST calls schedule while a run is going on wait for the next run (so
an ``advance`` ends even while writers keep creating calls); only what is scheduled while one of
the run's own deliveries is in flight (its handler calling back) joins it, up to
FOREIGN_REQUESTS_PER_RUN per run. Requests are never deferred: they go out in the order they
were queued (the order of their SequenceNumbers). A run delivers them up to a high-water mark
instead: the last request of its own (queued before it began, by its actions and the handlers
of its deliveries, or by a handler calling back while a delivery is in flight). Other threads'
requests before that mark go out with it (in order); those after it are left in the outbox,
first in line for the next run, so writers that never stop cannot keep an advance going.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import TwilioError

if TYPE_CHECKING:  # annotations only
    from .actions import Outbound, Record
    from .clock import Action
    from .core import Engine

FOREIGN_REQUESTS_PER_RUN = 256
# Dates are rendered up to 9999-12-31; stop a century short so everything scheduled ahead of
# "now" (time limits, ring timeouts) still has a date.
LATEST = 253402300799.0 - 100 * 366 * 86400.0


class ClockRange(TwilioError):
    code = 20001
    status = 400

    def __init__(self, room: float) -> None:
        super().__init__(f"seconds would move the virtual clock past what it can represent "
                         f"(at most {max(0.0, room):.0f} more seconds from now)")


class RunBounds:
    """The engine's state for these bounds (declared here, set by :func:`init`)."""

    _later: list[Outbound]  # queued by other threads during a run
    _later_actions: list[tuple[float, Action, str, Record | None]]  # scheduled by them
    _run_thread: int | None  # the thread running the clock
    _in_flight: int  # the run's own deliveries in flight
    _foreign_budget: int  # actions other threads may still add to the run
    _queued_count: int  # requests ever queued (each Outbound's number in line)
    _own_mark: int  # the number of the last request the running run delivers


def init(eng: Engine) -> None:
    eng._later = []  # Outbounds queued by other threads during a run
    eng._later_actions = []  # (due, action, label, record) scheduled by them
    eng._run_thread = None
    eng._in_flight = 0
    eng._foreign_budget = 0
    eng._queued_count = 0  # requests ever queued: each Outbound's number in line
    eng._own_mark = 0  # the number of the last request the running run must deliver


def mark_request(eng: Engine, ob: Outbound) -> None:
    """Number a request being queued; one of the run's own moves the mark up to it."""
    eng._queued_count += 1
    ob.meta["queued_no"] = eng._queued_count
    runner = eng._run_thread
    if (runner is None or runner == threading.get_ident()
            or (eng._in_flight and eng._foreign_budget > 0)):
        if runner is not None and runner != threading.get_ident():
            eng._foreign_budget -= 1
        eng._own_mark = eng._queued_count


def run_owns_next(eng: Engine) -> bool:
    """Is the outbox's first request at or before the run's mark?"""
    return bool(eng._outbox) and eng._outbox[0].meta.get("queued_no", 0) <= eng._own_mark


def check_advance(eng: Engine, seconds: float) -> None:
    if eng.clock.now() + seconds > LATEST:
        raise ClockRange(LATEST - eng.clock.now())


def journal_body(eng: Engine, raw: bytes | None) -> tuple[str, int]:
    """(what the journal keeps of an answer, its true size in bytes)."""
    raw = raw or b""
    body = raw[:max(0, eng.config.journal_body_max_bytes)].decode("utf-8", "replace")
    return body.replace("\x00", "\ufffd"), len(raw)  # no text column takes NUL


def deferred(eng: Engine) -> bool:
    """Does what this thread queues or schedules now wait for the next run?"""
    runner = eng._run_thread
    if runner is None or runner == threading.get_ident() or eng.clock.mode == "realtime":
        return False  # realtime: the runner's runs are short ticks; nothing waits
    if eng._in_flight and eng._foreign_budget > 0:
        eng._foreign_budget -= 1
        return False
    return True


def snapshot(eng: Engine) -> tuple[int, int]:
    return len(eng._later), len(eng._later_actions)


def restore(eng: Engine, lengths: tuple[int, int]) -> None:
    """A rolled-back turn takes back what it deferred."""
    del eng._later[lengths[0]:]
    del eng._later_actions[lengths[1]:]


def run_begins(eng: Engine) -> int | None:
    """This thread runs the clock now (a nested run, on a lent run lock, too); the previous."""
    with eng.lock:
        previous = eng._run_thread
        eng._run_thread = threading.get_ident()
        eng._own_mark = eng._queued_count  # everything queued so far is this run's to send
        if previous is None:
            eng._foreign_budget = FOREIGN_REQUESTS_PER_RUN
    return previous


def run_ends(eng: Engine, previous: int | None) -> None:
    with eng.lock:
        eng._run_thread = previous
        if previous is not None or not (eng._later or eng._later_actions):
            return
        eng._outbox.extend(eng._later)
        eng._later.clear()
        pending, eng._later_actions = eng._later_actions, []
        for due, action, label, record in pending:
            item = eng.scheduler.at(due, action, label)
            item.record = record
        eng.store.commit()
    # Wake the runner only for work that was deferred: a notify after every run would bump
    # ``work_seq`` under the realtime runner's feet, so it never sleeps between ticks and
    # retakes the run lock at once, starving a reset waiting for it.
    eng.notify()


@contextmanager
def in_flight(eng: Engine) -> Iterator[None]:
    eng._in_flight += 1
    try:
        yield
    finally:
        eng._in_flight -= 1
