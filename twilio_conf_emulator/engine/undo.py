"""Undo for the in-memory half of a transaction.

A turn at the state (a REST request, a scheduled action, a webhook's answer) changes rows,
which the database rolls back, and memory: the scheduler's heap, the SID counters, the
outbox of webhooks, the TwiML documents calls are running.  Each memory change made while a
turn is open records how to undo it; a turn that fails runs those records backwards, so a
refused request or a failed action leaves no webhook, no SID and no scheduled action behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class UndoLog:
    def __init__(self) -> None:
        self._steps: list[Callable[[], object]] | None = None  # a list while a turn is open

    @property
    def open(self) -> bool:
        return self._steps is not None

    def begin(self) -> None:
        self._steps = []

    def record(self, step: Callable[[], object]) -> None:
        if self._steps is not None:
            self._steps.append(step)

    def commit(self) -> None:
        self._steps = None

    def rollback(self) -> None:
        steps, self._steps = self._steps or [], None
        for step in reversed(steps):
            step()


class TxDict(dict[Any, Any]):  # what each memory holds is its owner's business
    """A dict whose changes inside a turn are undone with it (copy on first write)."""

    def __init__(self, log: UndoLog) -> None:
        super().__init__()
        self._log = log
        self._saved_for: list[Callable[[], object]] | None = None

    def _touch(self) -> None:
        steps = self._log._steps
        if steps is None or self._saved_for is steps:
            return
        self._saved_for = steps
        saved = dict(self)

        def restore() -> None:
            dict.clear(self)
            dict.update(self, saved)
            self._saved_for = None

        steps.append(restore)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._touch()
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        self._touch()
        super().__delitem__(key)

    def pop(self, *args: Any) -> Any:
        self._touch()
        return super().pop(*args)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._touch()
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._touch()
        super().update(*args, **kwargs)

    def clear(self) -> None:
        self._touch()
        super().clear()
