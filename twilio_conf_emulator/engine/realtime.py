"""The realtime runner of one world: a thread that follows the wall clock times ``speed``.

It sleeps until the next action is due (or something is scheduled), so an idle world costs
nothing.  The target time is read only once the run lock is held (``run_until`` with a
function), so a reset between reading and running can never push the clock ahead of the
wall clock and freeze it.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    from .core import Engine

log = logging.getLogger(__name__)

# Wall seconds between looks when nothing is due: anything scheduled wakes the runner at
# once (``work_seq``), and a request reads a caught-up clock (``Engine.transaction``), so an
# idle world only needs an occasional look.
IDLE_WAIT = 5.0


class RealtimeRunner:
    def __init__(self, engine: Engine, tick: float = 0.02) -> None:
        self.engine = engine
        self.tick = tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"twilio-emulator-clock-{engine.account_sid}")

    def start(self) -> RealtimeRunner:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.engine.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        eng = self.engine
        while not self._stop.is_set():
            seen = eng.work_seq
            try:
                eng.run_until(eng.clock.realtime_target)
            except Exception:  # never let the clock stop for good
                log.exception("realtime run failed; carrying on")
            eng.wait_for_work(self._pause(), seen)

    def _pause(self) -> float:
        eng = self.engine
        with eng.lock:
            due = eng.scheduler.next_due()
            if eng.has_outbox():
                return 0.0
        if due is None:
            return IDLE_WAIT
        wait = (due - eng.clock.realtime_target()) / max(eng.clock.speed, 1e-9)
        return min(max(wait, self.tick if wait > 0 else 0.0), IDLE_WAIT)
