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
from dataclasses import dataclass, field

from sqlalchemy import event

from ..errors import TwilioError
from ..store.models import Alert, JournalEntry, MediaEventRow
from .clock import Scheduler

log = logging.getLogger(__name__)


@dataclass
class Outbound:
    """A request the engine wants sent; ``on_result(result)`` runs under the lock afterwards."""

    request: object  # webhooks.transport.OutboundRequest
    account_sid: str | None
    on_result: object = None
    call_sid: str | None = None
    conference_sid: str | None = None
    auth_token: str | None = None
    meta: dict = field(default_factory=dict)


class ClockBusy(TwilioError):
    code = 20409
    status = 409
    message = "The virtual clock is already advancing in another request"


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

    def __init__(self, config, db, clock, sids, router, purposes):
        self.config = config
        self.db = db
        self.clock = clock
        self.sids = sids
        self.router = router
        self.purposes = dict(purposes)
        # The TwiML document each leg is running: {call_sid: (generation, Document)}.
        self.documents = {}
        self.scheduler = Scheduler(clock)
        self.lock = threading.RLock()
        # Serialises runs of the scheduler; re-entrant so an in-process webhook handler that
        # advances the clock on the same thread does not deadlock.
        self.run_lock = threading.RLock()
        self._outbox = deque()
        self._wakeup = threading.Condition()
        # The session's identity map holds rows weakly, so a row nobody references is read
        # again from the database on the next ``get``; the state is small, so keep every row
        # the session knows alive until it leaves the session (a big saving per action).
        self._rows = set()
        self._unsaved_books = []  # (class, fields) of journal rows not committed yet
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

    def _rollback(self):
        """Roll back the state, but not the books: journal entries (and their alerts) record
        requests that were really sent, so they are added again and survive."""
        self.db.rollback()
        books, self._unsaved_books = self._unsaved_books, []
        for cls, fields in books:
            self._book(cls, fields)

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
    def at(self, due, action, label=""):
        item = self.scheduler.at(due, action, label)
        self._notify()
        return item

    def after(self, delay, action, label=""):
        return self.at(self.clock.now() + max(0.0, delay), action, label)

    def soon(self, action, label=""):
        return self.at(self.clock.now(), action, label)

    def emit(self, outbound):
        """Queue a request; delivered after the current action, outside the lock."""
        self._outbox.append(outbound)

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
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        if self.clock.mode == "realtime":
            self.clock.jump(seconds)
            target = self.clock.realtime_target()
        else:
            target = self.clock.now() + seconds
        self.run_until(target)

    def run_until(self, target, blocking_timeout=60.0):
        if not self.run_lock.acquire(timeout=blocking_timeout):
            raise ClockBusy()
        try:
            # (a) what REST calls queued since the last run goes out at the time it was made.
            self._deliver_outbox()
            while True:
                with self.lock:
                    item = self.scheduler.pop_due(target)
                    if item is None:
                        self.clock.set(target)
                        self._commit()
                        break
                    self.clock.set(item.due)
                    self._run_action(item.action, item.label)
                self._deliver_outbox()
            self._deliver_outbox()
        finally:
            self.run_lock.release()

    def _deliver_outbox(self):
        while True:
            with self.lock:
                if not self._outbox:
                    return
                ob = self._outbox.popleft()
            result = self.router.deliver(ob.request, ob.auth_token or "")
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
            self._rollback()
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
        body = result.body.decode("utf-8", "replace") if result.body else ""
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
