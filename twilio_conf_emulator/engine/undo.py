"""Undo for the in-memory half of a transaction.

A turn at the state (a REST request, a scheduled action, a webhook's answer) changes rows,
which the database rolls back, and memory: the scheduler's heap, the SID counters, the
outbox of webhooks, the TwiML documents calls are running.  Each memory change made while a
turn is open records how to undo it; a turn that fails runs those records backwards, so a
refused request or a failed action leaves no webhook, no SID and no scheduled action behind.
"""


class UndoLog:
    def __init__(self):
        self._steps = None  # a list while a turn is open

    @property
    def open(self):
        return self._steps is not None

    def begin(self):
        self._steps = []

    def record(self, step):
        if self._steps is not None:
            self._steps.append(step)

    def commit(self):
        self._steps = None

    def rollback(self):
        steps, self._steps = self._steps or [], None
        for step in reversed(steps):
            step()


class TxDict(dict):
    """A dict whose changes inside a turn are undone with it (copy on first write)."""

    def __init__(self, log):
        super().__init__()
        self._log = log
        self._saved_for = None

    def _touch(self):
        steps = self._log._steps
        if steps is None or self._saved_for is steps:
            return
        self._saved_for = steps
        saved = dict(self)

        def restore():
            dict.clear(self)
            dict.update(self, saved)
            self._saved_for = None

        steps.append(restore)

    def __setitem__(self, key, value):
        self._touch()
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._touch()
        super().__delitem__(key)

    def pop(self, *args):
        self._touch()
        return super().pop(*args)

    def setdefault(self, key, default=None):
        self._touch()
        return super().setdefault(key, default)

    def update(self, *args, **kwargs):
        self._touch()
        super().update(*args, **kwargs)

    def clear(self):
        self._touch()
        super().clear()
