"""Deterministic SIDs: prefix + 32 lowercase hex, a pure function of (seed, scope, prefix, n).

Each prefix counts on its own, so adding a new kind of resource to a scenario does not shift
the SIDs of the others.  A world's factory is scoped by its account SID, so what one account
creates never shifts (or collides with) another's SIDs; the server's own factory (accounts,
keys, tokens) has no scope.

Reading a SID follows one rule for every prefix (:func:`is_sid`): the two-letter prefix, then
exactly 32 hex digits, in either case (the emulator writes lowercase).
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading

SID_HEX_DIGITS = 32


@functools.cache
def sid_pattern(prefix: str) -> re.Pattern[str]:
    """The pattern a whole SID with ``prefix`` (``CA``, ``CF``, ``AP``...) matches."""
    return re.compile(rf"{re.escape(prefix)}[0-9a-fA-F]{{{SID_HEX_DIGITS}}}")


def is_sid(value: object, prefix: str) -> bool:
    """Whether ``value`` is a ``prefix`` SID: the one rule every reader of SIDs uses."""
    return isinstance(value, str) and sid_pattern(prefix).fullmatch(value) is not None


class SidFactory:
    def __init__(self, seed: int = 0, scope: str | None = None) -> None:
        self.seed = seed
        self.scope = scope
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """The next SID with ``prefix``."""
        with self._lock:
            n = self._counters.get(prefix, 0)
            self._counters[prefix] = n + 1
        return self._make(prefix, n)

    def resume(self, existing: dict[str, list[str]], window: int = 1000) -> None:
        """Carry on after the SIDs already in a store (``serve`` restarted on the same file):
        each prefix's counter moves past the last of them this seed generated, so no SID is
        ever handed out twice. The search stops once every stored SID is accounted for, or
        after ``window`` numbers in a row that are not in the store (deleted rows leave gaps)."""
        with self._lock:
            for prefix, stored in existing.items():
                sids = set(stored)
                n = self._counters.get(prefix, 0)
                last, found, misses = n - 1, 0, 0
                while found < len(sids) and misses < window:
                    if self._make(prefix, n) in sids:
                        last, found, misses = n, found + 1, 0
                    else:
                        misses += 1
                    n += 1
                self._counters[prefix] = last + 1

    def _make(self, prefix: str, n: int) -> str:
        key = f"{self.seed}:{prefix}:{n}" if self.scope is None else \
            f"{self.seed}:{self.scope}:{prefix}:{n}"
        return prefix + hashlib.sha256(key.encode()).hexdigest()[:32]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counters)

    def restore(self, counters: dict[str, int]) -> None:
        """Back to a snapshot: the SIDs taken since are handed out again (a rolled-back turn)."""
        with self._lock:
            self._counters = dict(counters)

    def reset(self, keep: tuple[str, ...] = ()) -> None:
        """Start every counter over, but those of the prefixes in ``keep``."""
        with self._lock:
            self._counters = {p: n for p, n in self._counters.items() if p in keep}
