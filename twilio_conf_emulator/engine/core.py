"""The engine: state behind one lock, a scheduler, and webhooks delivered outside the lock.

How a moment of virtual time unfolds (``run_until``):
1. Under the lock: pop the next due action, move the clock to its time, run it. Actions change
   state and queue outbound requests (``emit``); they never talk to the network. Audio work
   they need (rendering a recording) is queued the same way (``offload``) and done outside.
2. Lock released: deliver the queued requests one by one, in order. A webhook handler may call
   the REST API back (it takes the lock for its own short turn), so nothing deadlocks; the run
   lock is lent while a request is in flight, so a handler may even advance or reset the
   clock, in-process or over HTTP from another thread, as a nested run.
3. Under the lock again: journal each result and hand it to the request's ``on_result``, which
   may change state, schedule more actions and queue more requests (delivered the same way).

The order of everything due at one instant T (fixed; ``tests/test_engine_order.py``):

a. Requests queued while no run was going on (by REST calls since the last ``advance``) go
   first, in the order they were queued, at the virtual time they were made.
b. Then the actions due at or before T, by due time, and among equal due times in the order
   they were scheduled (one global counter, FIFO). An action scheduled for "now" while T is
   being run (``soon``) therefore runs after every action already scheduled for T.
c. After each action, before the next one: the requests it queued, in order. Each request's
   ``on_result`` runs as soon as that request is answered, and whatever it queues, like the
   requests queued by REST calls a webhook handler makes during delivery, joins the end of
   the same queue.
d. Inside one action, events are queued in the rule order of the module that owns it
   (``conference.py``: the call's ``answered`` callback, then ``participant-join``, then
   ``conference-start``; a leaver's ``participant-leave``, then every remaining participant's
   ``participant-leave`` in join order, then ``conference-end``).

The journal is therefore the same, byte for byte, on every run of the same scenario.

One Engine is one world (an account's clock, scheduler, SIDs, outbox); worlds share the store
(``shared.SharedStore``: the session and its lock). Every turn at the state (a transaction or
an action) is all or nothing: rows roll back with the session, and what it changed in memory
(SIDs taken, actions scheduled, requests queued, running documents) with the undo log.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect as sa_inspect

from ..errors import TwilioError
from ..store.models import Account, Alert, Call, JournalEntry, MediaEventRow
from . import actions, books, bounds
from .actions import Outbound
from .clock import Action, Scheduler, VirtualClock, _Item
from .late_table import LateTable
from .leg_purpose import LegPurpose, UnknownPurpose
from .offload import JobFailed
from .release import release_finished
from .runlock import RunLock
from .shared import SharedStore
from .undo import TxDict, UndoLog

if TYPE_CHECKING:  # annotations only
    from collections.abc import Iterable, Iterator

    from sqlalchemy.orm import Session

    from ..config import EmulatorConfig
    from ..sids import SidFactory
    from ..store.models import Base
    from ..webhooks.router import Router
    from ..webhooks.wire import DeliveryResult, OutboundRequest
    from .books import Booked

log = logging.getLogger(__name__)


class ClockBusy(TwilioError):
    code = 20409
    status = 409
    message = "The virtual clock is already advancing in another request"


class Engine(bounds.RunBounds):
    """One world: an account's clock, scheduler, SIDs and outbox over the shared store (see
    the module docstring).

    ``purposes`` maps a leg purpose (``participant``, ``twiml``...) to the :class:`LegPurpose`
    that runs it; ``engine.purposes.leg_purposes()`` is the full table."""

    def __init__(self, config: EmulatorConfig, store: SharedStore | Session, clock: VirtualClock, sids: SidFactory,
                 router: Router, purposes: Mapping[str, LegPurpose], account_sid: str | None = None,
                 actions: Mapping[str, Callable[..., object]] | None = None) -> None:
        if not isinstance(store, SharedStore):
            store = SharedStore(store)  # a bare session: a store of one world
        self.config = config
        self.store = store
        self.db = store.db
        self.lock = store.lock
        self.clock = clock
        self.sids = sids
        self.router = router
        self.account_sid = account_sid
        # A LateTable is the world's own (a service's part loads on first lookup); any other
        # mapping is copied.
        self.purposes = purposes if isinstance(purposes, LateTable) else dict(purposes)
        self.actions = (actions if isinstance(actions, LateTable)  # stored actions by kind
                        else dict(actions or {}))
        bounds.init(self)
        self.scheduler = Scheduler(clock)
        # Serialises runs of the scheduler; lent out while a webhook is in flight, so a
        # handler that advances the clock (in-process or over HTTP) runs at once.
        self.run_lock = RunLock()
        self.generation = 0  # moves on every reset: a run that sees it move stops
        self._outbox: deque[Outbound] = deque()
        self._wakeup = threading.Condition()
        self.work_seq = 0  # moves on every notify (the runner never misses a wake-up)
        self._answering: Booked | None = None  # the journal entry whose answer on_result is handling
        self._undo = UndoLog()
        self._memory: dict[str, TxDict] = {}
        # The TwiML document each leg is running: {call_sid: (generation, Document)}; a
        # rolled-back turn gives back what it changed here.
        self.documents = self.memory("twiml_docs")
        self._depth = 0  # nesting of transaction() on the thread holding the lock
        # The last journal entry / alert number of this world (their user-visible ids).
        self.journal_seq = 0
        self.alert_seq = 0

    # -- state access ------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One consistent turn at the state: lock, yield the session, commit or roll back
        (rows, and the memory changes recorded in the undo log: webhooks queued, SIDs
        taken, actions scheduled). A nested call joins the turn already open."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            self._catch_up_realtime()
            self._depth = 1
            self._begin()
            try:
                yield self.db
                self._commit()
            except BaseException:
                self._rollback()
                raise
            finally:
                self._depth = 0
        # Wake the realtime runner only for requests to send (``at`` wakes it for actions):
        # waking it after every read made it save its clock once per REST call.
        if self._outbox:
            self._notify()

    def memory(self, name: str) -> TxDict:
        """A dict of in-memory state that transactions undo (e.g. running TwiML documents)."""
        d = self._memory.get(name)
        if d is None:
            d = self._memory[name] = TxDict(self._undo)
        return d

    def _catch_up_realtime(self):
        """Realtime: a request sees the wall clock's time, not the last tick's, unless an
        action is still due before it (the runner is about to run it)."""
        if self.clock.mode != "realtime" or not self.run_lock.acquire(blocking=False):
            return
        try:
            target = self.clock.realtime_target()
            due = self.scheduler.next_due()
            self.clock.set(target if due is None else min(target, due))
        finally:
            self.run_lock.release()

    def now(self) -> float:
        return self.clock.now()

    def _begin(self):
        self._undo.begin()
        counters = self.sids.snapshot()
        queued = len(self._outbox)
        own = self._own_mark
        alerts = self.alert_seq
        later = bounds.snapshot(self)

        def undo_memory():
            self.sids.restore(counters)
            self.alert_seq = alerts
            while len(self._outbox) > queued:
                self._outbox.pop()
            self._own_mark = own
            bounds.restore(self, later)

        self._undo.record(undo_memory)

    def _commit(self):
        self.store.commit()
        self._undo.commit()

    def _rollback(self):
        self.store.rollback()
        self._undo.rollback()

    def _book(self, cls: type[Base], fields: dict[str, Any]) -> Booked:
        return self.store.book(cls, fields)

    def forget_rows(self) -> None:
        """After the store is emptied (reset): let go of every row, cached lookup and running
        document."""
        self.store.forget_rows()
        dict.clear(self.documents)

    # -- leg purposes ----------------------------------------------------------------------
    def purpose(self, name: str | None) -> LegPurpose:
        """The :class:`LegPurpose` for ``name``; an unknown one is an error, never a no-op."""
        try:
            return self.purposes[name]  # type: ignore[index]  # None: a KeyError as any unknown
        except KeyError:
            known = (self.purposes.names() if isinstance(self.purposes, LateTable)
                     else sorted(self.purposes))  # a late service's purposes too
            raise UnknownPurpose(f"no leg purpose {name!r} (known: {', '.join(known)})") from None

    def purpose_of(self, call: Call) -> LegPurpose:
        return self.purpose((call.options or {}).get("purpose"))

    # -- scheduling ------------------------------------------------------------------------
    def at(self, due: float, action: Action, label: str = "") -> _Item | None:
        record = actions.record_for(self, due, action, label)  # a Stored action: its row
        if bounds.deferred(self):
            self._later_actions.append((due, action, label, record))
            return None
        item = self.scheduler.at(due, action, label)
        item.record = record
        self._undo.record(lambda: self.scheduler.remove(item))
        self._notify()
        return item

    def after(self, delay: float, action: Action, label: str = "") -> _Item | None:
        return self.at(self.clock.now() + max(0.0, delay), action, label)

    def soon(self, action: Action, label: str = "") -> _Item | None:
        return self.at(self.clock.now(), action, label)

    def emit(self, outbound: Outbound) -> None:
        """Queue a request; delivered after the current action, outside the lock."""
        actions.store_request(self, outbound)
        # Never deferred (unlike actions, see bounds): requests go out in the order they were
        # queued, which is the order of their SequenceNumbers; a run stops at its mark.
        bounds.mark_request(self, outbound)
        self._outbox.append(outbound)

    def emit_request(self, request: OutboundRequest, account_sid: str | None,
                     on_result: Callable[[DeliveryResult], object] | None = None, call_sid: str | None = None,
                     conference_sid: str | None = None, **meta: Any) -> None:
        """Queue ``request`` signed with the account's auth token."""
        account_sid = account_sid or self.account_sid
        acct = self._account(account_sid) if account_sid else None
        self.emit(Outbound(request=request, account_sid=account_sid, on_result=on_result,
                           call_sid=call_sid, conference_sid=conference_sid,
                           auth_token=acct.auth_token if acct else "", meta=meta))

    def _account(self, sid: str) -> Account | None:
        """The Account row ``sid`` (its Auth Token signs every request): kept per session
        while it is still persistent, as ``Session.get`` was a tenth of a webhook's cost."""
        rows = self.db.info.setdefault("account_rows", {})
        acct = rows.get(sid)
        if acct is None or not sa_inspect(acct).persistent:
            acct = rows[sid] = self.db.get(Account, sid)
        return acct

    def _notify(self):
        with self._wakeup:
            self.work_seq += 1
            self._wakeup.notify_all()

    notify = _notify

    def has_outbox(self) -> bool:
        return bool(self._outbox)

    # -- running -----------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        if not 0 <= seconds < float("inf"):
            raise ValueError("seconds must be >= 0")
        bounds.check_advance(self, seconds)
        if self.clock.mode == "realtime":
            def target():
                self.clock.jump(seconds)
                return self.clock.realtime_target()
        else:
            def target():
                return self.clock.now() + seconds
        self.run_until(target)

    def run_until(self, target: float | Callable[[], float], blocking_timeout: float = 60.0) -> None:
        """Run everything due up to ``target`` (a time, or a function giving it, called once
        the run lock is held, so a reset in between cannot leave it stale)."""
        if not self.run_lock.acquire(timeout=blocking_timeout):
            raise ClockBusy()
        outer = bounds.run_begins(self)
        try:
            generation = self.generation
            if callable(target):
                target = target()
            # (a) what REST calls queued since the last run goes out at the time it was made.
            self._deliver_outbox()
            while self.generation == generation:
                with self.lock:
                    item = self.scheduler.pop_due(target)
                    if item is None:
                        self.clock.set(target)
                        actions.save_clock(self)
                        self._commit()
                        release_finished(self.store.rows, self.db.info)
                        break
                    self.clock.set(item.due)
                    record = getattr(item, "record", None)
                    actions.forget(self.db, record)  # it runs now: in its own turn
                    self._run_action(item.action, item.label)
                    actions.forget(self.db, record)  # (still gone if that turn rolled back)
                self._deliver_outbox()
            self._deliver_outbox()
        finally:
            bounds.run_ends(self, outer)
            self.run_lock.release()

    def _deliver_outbox(self):
        while True:
            with self.lock:
                if not bounds.run_owns_next(self):
                    return  # empty, or only other threads' requests: the next run's
                ob = self._outbox.popleft()
                generation = self.generation
            if ob.job is not None:
                try:
                    result = ob.job()  # audio work: outside every lock
                except Exception as err:  # reported like a failing action (20500)
                    result = JobFailed(err)
            else:
                with self.run_lock.lent(), bounds.in_flight(self):
                    result = self.router.deliver(ob.request, ob.auth_token or "")
            with self.lock:
                if self.generation != generation:
                    return  # the world was reset while this was in flight: drop it
                entry = None if ob.job is not None else self._journal(ob, result)
                if "collect" in ob.meta:
                    self._commit()
                    ob.meta["collect"].append(entry.seq)
                if isinstance(result, JobFailed):
                    self._run_action(result.reraise, ob.meta.get("label", "job"))
                elif ob.on_result is not None:
                    self._answering = entry
                    try:
                        self._run_action(lambda ob=ob, result=result: ob.on_result(result),
                                         f"result of {ob.request.kind if ob.request else 'job'}")
                    finally:
                        self._answering = None
                actions.forget(self.db, ob.meta.get("record"))  # even if that turn rolled back

    def offload(self, job: Callable[[], object], then: Callable[..., object], label: str = "job") -> None:
        """Run ``job()`` (rendering audio) outside the lock, in turn with the webhooks, then
        ``then(result)`` under the lock as an action."""
        self.emit(Outbound(request=None, account_sid=self.account_sid, on_result=then,
                           job=job, meta={"label": label}))

    def fault(self, code: int, message: str) -> None:
        """The answer being handled failed for a reason only its reader sees (12100 bad
        TwiML, 12300 wrong Content-Type, 13420 <Play> of something not audio): record the code
        on that request's own journal entry and raise the alert, as Twilio's debugger links
        an alert to the request that caused it."""
        entry = self._answering
        if entry is None:
            raise RuntimeError("fault() is only meaningful while an answer is being handled")
        if entry.error_code is None:
            books.set_error(self.db, JournalEntry, entry, code, message)
        self.alert(entry.account_sid, code, message, call_sid=entry.call_sid,
                   conference_sid=entry.conference_sid, url=entry.url)

    def _run_action(self, action: Action, label: str) -> None:
        """Run one action under the lock. A failing action is rolled back with everything it
        queued, took or scheduled, and reported as an alert; the engine carries on
        (``strict_actions`` re-raises, for the project's tests)."""
        self._begin()
        try:
            action()
            self._commit()
        except Exception as err:
            self._rollback()
            if self.config.strict_actions:
                raise
            log.exception("scheduled action %r failed", label)
            self.alert(None, 20500, f"Internal error in {label}: {type(err).__name__}: {err}")
            self._commit()

    def replay(self, ids: Iterable[int | str], url: str | None = None) -> list[int]:
        """Re-send journal entries ``ids`` now, in the order given, re-signed with the account's
        current auth token for ``url`` (default: each entry's own URL). Each is journaled as a
        new entry of kind ``replay``; returns the new entry ids. Unknown ids raise NotFound."""
        from ..errors import NotFound
        from ..webhooks.transport import OutboundRequest

        collected: list[int] = []
        with self.run_lock:
            with self.lock:
                rows = []
                for i in ids:
                    row = self.db.query(JournalEntry).filter(
                        JournalEntry.account_sid == self.account_sid,
                        JournalEntry.seq == int(i)).first()
                    if row is None:
                        raise NotFound(f"/_emulator/webhooks/{i}")
                    rows.append(row)
                for row in rows:
                    params = [tuple(p) for p in row.params]
                    journal_params = params
                    if url is None and row.method.upper() == "GET":
                        # The journaled GET URL already carries the parameters.
                        send_params = []
                    else:
                        send_params = params
                    self.emit_request(
                        OutboundRequest(url=url or row.url, method=row.method,
                                        params=send_params, kind="replay"),
                        row.account_sid, call_sid=row.call_sid,
                        conference_sid=row.conference_sid,
                        collect=collected, journal_params=journal_params)
            self._deliver_outbox()
        return collected

    def wait_for_work(self, timeout: float, seen: int | None = None) -> None:
        """Realtime runner: sleep until something is scheduled or ``timeout`` passes (at
        once if work came since ``work_seq`` was ``seen``)."""
        with self._wakeup:
            if seen is not None and self.work_seq != seen:
                return
            if timeout > 0:
                self._wakeup.wait(timeout)

    # -- books -------------------------------------------------------------------------------
    def journal_unsent(self, ob: Outbound, result: DeliveryResult) -> Booked:
        """Book a request that was never sent (a refused local file): its entry and alert."""
        return self._journal(ob, result)

    def _journal(self, ob: Outbound, result: DeliveryResult) -> Booked:
        actions.forget(self.db, ob.meta.get("record"))  # sent: no longer pending
        assert ob.request is not None  # offloaded jobs are never journaled
        body, size = bounds.journal_body(self, result.body)
        self.journal_seq += 1
        entry = self._book(JournalEntry, dict(
            seq=self.journal_seq,
            account_sid=ob.account_sid,
            time=self.clock.now(),
            kind=ob.request.kind,
            url=result.url,
            method=result.method,
            params=[list(p) for p in ob.meta.get("journal_params", ob.request.params)],
            signature=result.signature,
            status=result.status,
            body=body,
            body_size=size,
            error_code=result.error_code,
            error_message=result.error_message,
            call_sid=ob.call_sid,
            conference_sid=ob.conference_sid,
        ))
        if result.error_code:
            self.alert_seq += 1
            self._book(Alert, dict(
                seq=self.alert_seq,
                account_sid=ob.account_sid, time=self.clock.now(), code=result.error_code,
                level="error", message=result.error_message or "HTTP error",
                call_sid=ob.call_sid, conference_sid=ob.conference_sid, url=result.url,
            ))
        return entry

    def alert(self, account_sid: str | None, code: int, message: str, level: str = "error", call_sid: str | None = None,
              conference_sid: str | None = None, url: str | None = None) -> None:
        self.alert_seq += 1
        books.add(self.db, Alert, dict(
            seq=self.alert_seq,
            account_sid=account_sid or self.account_sid, time=self.clock.now(), code=code,
            level=level, message=message, call_sid=call_sid, conference_sid=conference_sid, url=url,
        ))

    def media_event(self, event_kind: str, call_sid: str | None = None, conference_sid: str | None = None, **data: object) -> None:
        books.add(self.db, MediaEventRow, dict(
            t=self.clock.now(), kind=event_kind, call_sid=call_sid,
            conference_sid=conference_sid, data=data,
        ))
