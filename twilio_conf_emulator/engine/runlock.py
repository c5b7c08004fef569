"""The run lock: one thread at a time runs a world's scheduler.

It is re-entrant for its owner, and its owner lends it out while a webhook is in flight
(:meth:`RunLock.lent`): a handler that calls ``clock/advance`` or ``reset`` back, in this
process or over HTTP from another thread, runs at once, exactly as a nested in-process call
would, and the lender carries on when it is done.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class RunLock:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._count = 0

    def acquire(self, blocking: bool = True, timeout: float | None = -1) -> bool:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._count += 1
                return True
            if not blocking:
                if self._owner is not None:
                    return False
            elif not self._cond.wait_for(lambda: self._owner is None,
                                         None if timeout is None or timeout < 0 else timeout):
                return False
            self._owner, self._count = me, 1
            return True

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a run lock this thread does not hold")
            self._count -= 1
            if self._count == 0:
                self._owner = None
                self._cond.notify_all()

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def held(self) -> bool:
        return self._owner == threading.get_ident()

    @contextmanager
    def lent(self) -> Iterator[None]:
        """Release the lock entirely for the body (if this thread holds it), then take it
        back at the same depth, waiting for whoever borrowed it."""
        me = threading.get_ident()
        with self._cond:
            if self._owner != me:
                depth = 0
            else:
                depth, self._owner, self._count = self._count, None, 0
                self._cond.notify_all()
        try:
            yield
        finally:
            if depth:
                with self._cond:
                    self._cond.wait_for(lambda: self._owner is None)
                    self._owner, self._count = me, depth
