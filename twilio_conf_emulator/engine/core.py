"""The engine: state behind one lock, a scheduler, and webhooks delivered outside the lock.

How a moment of virtual time unfolds (``run_until``):
1. Under the lock: pop the next due action, move the clock to its time, run it. Actions change
   state and queue outbound requests (``emit``); they never talk to the network.
2. Lock released: deliver the queued requests one by one, in order. A webhook handler may call
   the REST API back (it takes the lock for its own short turn), so nothing deadlocks.
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
"""

import logging
import threading
from collections import deque
from contextlib import contextmanager

from sqlalchemy import event

from ..errors import TwilioError
from ..store.models import Alert, JournalEntry, MediaEventRow
from . import actions
from .actions import Outbound
from .clock import Scheduler

log = logging.getLogger(__name__)
# At most this many requests queued by other threads join a run while its deliveries are in
# flight (webhook handlers calling back over HTTP); beyond that they wait for the next run.
FOREIGN_REQUESTS_PER_RUN = 256


class ClockBusy(TwilioError):
    code = 20409
    status = 409
    message = "The virtual clock is already advancing in another request"


class ClockRange(TwilioError):
    code = 20001
    status = 400

    def __init__(self, room):
        super().__init__(f"seconds would move the virtual clock past what it can represent "
                         f"(at most {max(0.0, room):.0f} more seconds from now)")


class LegPurpose:
    """What a kind of call leg does as its call progresses (``options["purpose"]``). The engine
    is given a table of them (``Engine(purposes=...)``); every hook does nothing unless a
    purpose overrides it."""

    def on_progress(self, eng, call, event):
        """The leg was initiated or is ringing (``event``)."""

    def on_answer(self, eng, call):
        """The far end answered."""

    def on_failed(self, eng, call):
        """The leg ended without being answered, or ended not ``completed``."""

    def on_hangup(self, eng, call, by):
        """An answered leg is hung up by the far end (``caller``) or the API (``api``)."""

    def on_digits(self, eng, call, digits):
        """The far end pressed ``digits``."""

    def on_conference_left(self, eng, call, why):
        """The leg's participant left its conference while the call goes on."""


class UnknownPurpose(LookupError):
    """A leg whose purpose is not in the engine's table: a wiring mistake, never ignored."""


class Engine:
    """The state of one emulated Twilio and its virtual time (see the module docstring).

    ``purposes`` maps a leg purpose (``participant``, ``twiml``...) to the :class:`LegPurpose`
    that runs it; ``engine.purposes.leg_purposes()`` is the full table."""

    def __init__(self, config, db, clock, sids, router, purposes, actions=None):
        self.config = config
        self.db = db
        self.clock = clock
        self.sids = sids
        self.router = router
        self.purposes = dict(purposes)
        # Stored actions by kind (action_kinds.stored_actions): what a stored record runs.
        self.actions = dict(actions or {})
        # The TwiML document each leg is running: {call_sid: (generation, Document)}.
        self.documents = {}
        self.scheduler = Scheduler(clock)
        self.lock = threading.RLock()
        # Serialises runs of the scheduler; re-entrant so an in-process webhook handler that
        # advances the clock on the same thread does not deadlock.
        self.run_lock = threading.RLock()
        self._outbox = deque()
        # Requests other threads' REST calls queue while a run is going on wait for the next
        # run, so an advance ends even while writers keep queueing; only requests queued while
        # one of the run's own deliveries is in flight (its handler calling back) join it.
        self._later = deque()
        self._later_actions = []
        self._run_thread = None
        self._in_flight = False
        self._foreign_budget = 0
        self._wakeup = threading.Condition()
        # The session's identity map holds rows weakly, so a row nobody references is read
        # again from the database on the next ``get``; the state is small, so keep every row
        # the session knows alive until it leaves the session (a big saving per action).
        self._rows = set()
        self._unsaved_books = []  # (class, fields) of journal rows not committed yet
        self._unsaved_forgets = []  # in-flight records done with, deleted again on rollback
        self._answering = None  # the journal entry whose answer on_result is handling
        event.listen(db, "pending_to_persistent", self._keep_row)
        event.listen(db, "loaded_as_persistent", self._keep_row)
        event.listen(db, "persistent_to_detached", self._drop_row)
        event.listen(db, "persistent_to_deleted", self._drop_row)

    # -- state access ------------------------------------------------------------------
    @contextmanager
    def transaction(self):
        """One consistent turn at the state: lock, yield the session, commit or roll back."""
        with self.lock:
            try:
                yield self.db
                self._commit()
            except BaseException:
                self._rollback()
                raise
        self._notify()

    def now(self):
        return self.clock.now()

    def _commit(self):
        self.db.commit()
        self._unsaved_books.clear()
        self._unsaved_forgets.clear()

    def _rollback(self):
        """Roll back the state, but not the books: journal entries (and their alerts) record
        requests that were really sent, so they are added again and survive."""
        self.db.rollback()
        books, self._unsaved_books = self._unsaved_books, []
        for cls, fields in books:
            self._book(cls, fields)
        # An action that ran, a request that was sent: their records stay gone.
        for record in self._unsaved_forgets:
            actions.forget(self.db, record)

    def _forget(self, record):
        if record is not None:
            actions.forget(self.db, record)
            self._unsaved_forgets.append(record)

    def _book(self, cls, fields):
        """Add a journal entry or its alert. It is committed with whatever comes next (one
        commit per action, not one per webhook: commits are the engine's main cost)."""
        row = cls(**fields)
        self.db.add(row)
        self._unsaved_books.append((cls, fields))
        return row

    def _keep_row(self, session, instance):
        self._rows.add(instance)

    def _drop_row(self, session, instance):
        self._rows.discard(instance)

    def forget_rows(self):
        """After the store is emptied (reset): let go of every row, cached lookup and running
        document."""
        self._rows.clear()
        self._unsaved_books.clear()
        self._unsaved_forgets.clear()
        self.db.info.clear()
        self.documents.clear()

    # -- leg purposes ----------------------------------------------------------------------
    def purpose(self, name):
        """The :class:`LegPurpose` for ``name``; an unknown one is an error, never a no-op."""
        try:
            return self.purposes[name]
        except KeyError:
            raise UnknownPurpose(f"no leg purpose {name!r} (known: "
                                 f"{', '.join(sorted(self.purposes))})") from None

    def purpose_of(self, call):
        return self.purpose((call.options or {}).get("purpose"))

    # -- scheduling ------------------------------------------------------------------------
    def at(self, due, action, label="", record=None):
        """Run ``action`` at virtual time ``due``; ``record`` (a ScheduledAction, see
        ``actions.schedule``) stores it so it survives a restart."""
        if record is None and isinstance(action, actions.Stored):
            record = action.record(due, label)
        if self._deferred():
            self._later_actions.append((due, action, label, record))
            return None
        item = self.scheduler.at(due, action, label)
        if record is not None:
            record.due, record.seq, item.record = item.due, item.seq, record
            self.db.add(record)
        self._notify()
        return item

    def after(self, delay, action, label=""):
        return self.at(self.clock.now() + max(0.0, delay), action, label)

    def soon(self, action, label=""):
        return self.at(self.clock.now(), action, label)

    def emit(self, outbound):
        """Queue a request; delivered after the current action, outside the lock."""
        record = actions.pending_record(outbound)
        if record is not None:
            self.db.add(record)
            outbound.meta["record"] = record
        if self._deferred():
            self._later.append(outbound)
            return
        self._outbox.append(outbound)

    def _deferred(self):
        """Does what this thread queues or schedules now wait for the next run? Yes for
        another thread's REST call during a run (so the run ends), unless one of the run's
        deliveries is in flight: then it is that webhook's handler calling back (bounded)."""
        runner = self._run_thread
        if runner is None or runner == threading.get_ident():
            return False
        if self._in_flight and self._foreign_budget > 0:
            self._foreign_budget -= 1
            return False
        return True

    def emit_request(self, request, account_sid, on_result=None, call_sid=None,
                     conference_sid=None, **meta):
        """Queue ``request`` signed with the account's auth token."""
        from ..store.models import Account

        acct = self.db.get(Account, account_sid) if account_sid else None
        self.emit(Outbound(request=request, account_sid=account_sid, on_result=on_result,
                           call_sid=call_sid, conference_sid=conference_sid,
                           auth_token=acct.auth_token if acct else "", meta=meta))

    def _notify(self):
        with self._wakeup:
            self._wakeup.notify_all()

    # -- running -----------------------------------------------------------------------------
    def advance(self, seconds):
        if not 0 <= seconds < float("inf"):
            raise ValueError("seconds must be >= 0")
        if self.clock.now() + seconds > self.clock.LATEST:
            raise ClockRange(self.clock.LATEST - self.clock.now())
        if self.clock.mode == "realtime":
            self.clock.jump(seconds)
            target = self.clock.realtime_target()
        else:
            target = self.clock.now() + seconds
        self.run_until(target)

    def run_until(self, target, blocking_timeout=60.0):
        if not self.run_lock.acquire(timeout=blocking_timeout):
            raise ClockBusy()
        outer = self._run_thread is None
        if outer:
            with self.lock:
                self._run_thread = threading.get_ident()
                self._foreign_budget = FOREIGN_REQUESTS_PER_RUN
        try:
            # (a) what REST calls queued since the last run goes out at the time it was made.
            self._deliver_outbox()
            while True:
                with self.lock:
                    item = self.scheduler.pop_due(target)
                    if item is None:
                        self.clock.set(target)
                        actions.save_clock(self)
                        self._commit()
                        break
                    self.clock.set(item.due)
                    self._forget(getattr(item, "record", None))
                    self._run_action(item.action, item.label)
                self._deliver_outbox()
            self._deliver_outbox()
        finally:
            if outer:
                with self.lock:
                    self._run_thread = None
                    self._outbox.extend(self._later)
                    self._later.clear()
                    for due, action, label, record in self._later_actions:
                        self.at(due, action, label, record=record)
                    self._later_actions.clear()
                    self._commit()
            self.run_lock.release()

    def _deliver_outbox(self):
        while True:
            with self.lock:
                if not self._outbox:
                    return
                ob = self._outbox.popleft()
            self._in_flight = True
            try:
                result = self.router.deliver(ob.request, ob.auth_token or "")
            finally:
                self._in_flight = False
            with self.lock:
                entry = self._journal(ob, result)
                if "collect" in ob.meta:
                    self._commit()
                    ob.meta["collect"].append(entry.id)
                if ob.on_result is not None:
                    self._answering = entry
                    try:
                        self._run_action(lambda: ob.on_result(result),
                                         f"result of {ob.request.kind}")
                    finally:
                        self._answering = None

    def fault(self, code, message):
        """The answer being handled failed for a reason only its reader sees (12100 bad
        TwiML, 12300 wrong Content-Type, 13420 <Play> of something not audio): record the code
        on that request's own journal entry and raise the alert, as Twilio's debugger links
        an alert to the request that caused it."""
        entry = self._answering
        if entry is None:
            raise RuntimeError("fault() is only meaningful while an answer is being handled")
        if entry.error_code is None:
            entry.error_code, entry.error_message = code, message
        self.alert(entry.account_sid, code, message, call_sid=entry.call_sid,
                   conference_sid=entry.conference_sid, url=entry.url)

    def _run_action(self, action, label):
        """Run one action under the lock. A failing action is rolled back and reported as an
        alert; the engine carries on (``strict_actions`` re-raises, for the project's tests)."""
        try:
            action()
            self._commit()
        except Exception as err:
            self._rollback()  # (the action's own record stays deleted: it ran, and failed)
            if self.config.strict_actions:
                raise
            log.exception("scheduled action %r failed", label)
            self.alert(None, 20500, f"Internal error in {label}: {type(err).__name__}: {err}")
            self._commit()

    def replay(self, ids, url=None):
        """Re-send journal entries ``ids`` now, in the order given, re-signed with the account's
        current auth token for ``url`` (default: each entry's own URL). Each is journaled as a
        new entry of kind ``replay``; returns the new entry ids. Unknown ids raise NotFound."""
        from ..errors import NotFound
        from ..webhooks.transport import OutboundRequest

        collected = []
        with self.run_lock:
            with self.lock:
                rows = []
                for i in ids:
                    row = self.db.get(JournalEntry, int(i))
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

    def wait_for_work(self, timeout):
        """Realtime runner: sleep until something is scheduled or ``timeout`` passes."""
        with self._wakeup:
            self._wakeup.wait(timeout)

    # -- books -------------------------------------------------------------------------------
    def _journal(self, ob, result):
        raw = result.body or b""
        # Bounded: a 50 MB answer must not grow the store by 50 MB (body_size: its true size).
        body = raw[:max(0, self.config.journal_body_max_bytes)].decode("utf-8", "replace")
        body = body.replace("\x00", "\ufffd")  # a binary answer: no text column takes NUL
        self._forget(ob.meta.get("record"))
        entry = self._book(JournalEntry, dict(
            account_sid=ob.account_sid,
            time=self.clock.now(),
            kind=ob.request.kind,
            url=result.url,
            method=result.method,
            params=[list(p) for p in ob.meta.get("journal_params", ob.request.params)],
            signature=result.signature,
            status=result.status,
            body=body,
            body_size=len(raw),
            error_code=result.error_code,
            error_message=result.error_message,
            call_sid=ob.call_sid,
            conference_sid=ob.conference_sid,
        ))
        if result.error_code:
            self._book(Alert, dict(
                account_sid=ob.account_sid, time=self.clock.now(), code=result.error_code,
                level="error", message=result.error_message or "HTTP error",
                call_sid=ob.call_sid, conference_sid=ob.conference_sid, url=result.url,
            ))
        return entry

    def journal_unsent(self, ob, result):
        """Book a request that was never sent (a refused local file): its entry and alert."""
        return self._journal(ob, result)

    def alert(self, account_sid, code, message, level="error", call_sid=None,
              conference_sid=None, url=None):
        self.db.add(Alert(
            account_sid=account_sid, time=self.clock.now(), code=code, level=level,
            message=message, call_sid=call_sid, conference_sid=conference_sid, url=url,
        ))

    def media_event(self, event_kind, call_sid=None, conference_sid=None, **data):
        self.db.add(MediaEventRow(
            t=self.clock.now(), kind=event_kind, call_sid=call_sid,
            conference_sid=conference_sid, data=data,
        ))
