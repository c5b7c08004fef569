"""The virtual clock and the discrete-event scheduler (in the spirit of SimPy's Environment).

Rules:
- Time is virtual. ``manual`` mode moves only on ``advance``; ``realtime`` follows a wall
  clock times ``speed`` (driven by a runner thread outside the engine).
- Actions are kept in a heap of ``(due, seq, action)``. Everything due at one instant runs
  in the order it was scheduled (``seq``), so a scenario always unfolds the same way.
- Nothing here sleeps or reads the wall clock in manual mode.
"""

from __future__ import annotations

import heapq
import itertools
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import DEFAULT_EPOCH

if TYPE_CHECKING:  # annotations only
    from .actions import Record

# What the scheduler runs when its time comes: a closure, or a stored record that is also
# callable (``actions.Stored``), called with no argument under the engine lock.
Action = Callable[[], object]


def _wall_monotonic() -> float:
    # Looked up at call time so freezegun can drive realtime mode in tests.
    return _time.monotonic()


class VirtualClock:
    MODES = ("manual", "realtime")
    # Dates are rendered up to 9999-12-31; stop a century short so everything scheduled
    # ahead of "now" (time limits, ring timeouts) still has a date.
    LATEST = 253402300799.0 - 100 * 366 * 86400.0

    def __init__(self, mode: str = "manual", epoch: float | None = None, speed: float = 1.0,
                 wall: Callable[[], float] | None = None) -> None:
        if mode not in self.MODES:
            raise ValueError(f"clock mode must be one of {self.MODES}, not {mode!r}")
        self.mode = mode
        self.speed = float(speed)
        if epoch is None:
            epoch = DEFAULT_EPOCH if mode == "manual" else _time.time()
        self._now = float(epoch)
        self._wall = wall or _wall_monotonic
        self._wall_base = self._wall()
        self._virtual_base = self._now

    def now(self) -> float:
        return self._now

    def set(self, t: float) -> None:
        """Move to ``t``; time never runs backwards."""
        if t > self._now:
            self._now = t

    def realtime_target(self) -> float:
        """The virtual time the wall clock says it is now (realtime mode)."""
        return self._virtual_base + (self._wall() - self._wall_base) * self.speed

    def jump(self, seconds: float) -> None:
        """In realtime mode, ``advance`` shifts the mapping from wall to virtual time."""
        self._virtual_base += seconds

    def reset(self, epoch: float | None = None) -> None:
        """Start over at ``epoch`` (default: the fixed epoch in manual mode, the wall
        clock's time in realtime mode, as at start-up)."""
        if epoch is None:
            epoch = DEFAULT_EPOCH if self.mode == "manual" else _time.time()
        self._now = float(epoch)
        self._wall_base = self._wall()
        self._virtual_base = self._now


@dataclass(order=True)
class _Item:
    due: float
    seq: int
    action: Action = field(compare=False)
    label: str = field(compare=False, default="")
    record: Record | None = field(compare=False, default=None)  # its stored row (actions.Record), if any


class Scheduler:
    """A heap of timed actions. Not thread-safe on its own: the engine lock guards it."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._heap: list[_Item] = []
        self._seq = itertools.count()

    def at(self, due: float, action: Action, label: str = "") -> _Item:
        """Run ``action`` at ``due`` (never in the past), after whatever is already due then."""
        item = _Item(max(float(due), self.clock.now()), next(self._seq), action, label)
        heapq.heappush(self._heap, item)
        return item

    def pop_due(self, until: float) -> _Item | None:
        """The next action due at or before ``until``, or None."""
        if self._heap and self._heap[0].due <= until:
            return heapq.heappop(self._heap)
        return None

    def next_due(self) -> float | None:
        """The due time of the next action, or None."""
        return self._heap[0].due if self._heap else None

    def remove(self, item: _Item) -> None:
        """Take back an action scheduled by a turn that rolled back (rare: O(n))."""
        try:
            self._heap.remove(item)
        except ValueError:
            return
        heapq.heapify(self._heap)

    def pending(self) -> int:
        return len(self._heap)

    def clear(self) -> None:
        self._heap.clear()
