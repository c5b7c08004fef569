"""Scheduled actions as named records: ``kind`` + JSON ``args``, stored with the state.

A closure cannot outlive the process; a record can. ``schedule(eng, delay, kind, **args)``
stores a ScheduledAction row in the current transaction and puts the action on the heap;
running it deletes the row in the action's own transaction, so after a crash every action
that had not run is still there, and none that ran is run again. ``restore`` puts the stored
ones back on the heap (in their order) when an engine opens an existing store.

The functions are looked up by kind in the engine's table (``Engine(actions=...)``, wired in
``action_kinds.py``); they take ``eng`` and the stored args as keywords.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, select

from ..store import rows
from ..store.inflight import ClockState, PendingRequest, ScheduledAction

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import Session

    from ..webhooks.transport import OutboundRequest
    from .clock import Action, _Item
    from .core import Engine

DEFAULT_WORLD = "default"
FORGOTTEN = "forgotten_records"  # session.info: records deleted since the last commit


@dataclass
class Outbound:
    """A request the engine wants sent; ``on_result(result)`` runs under the lock afterwards."""

    request: OutboundRequest | None
    account_sid: str | None
    on_result: Callable[[Any], object] | None = None  # given the DeliveryResult (or job's result)
    call_sid: str | None = None
    conference_sid: str | None = None
    auth_token: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    job: Callable[[], object] | None = None  # instead of a request: work done outside the lock


class Stored:
    """A callable that is also a record: ``eng.at``/``after``/``soon`` store it (a continuation
    handed around like a closure, e.g. "run the next TwiML verb", that survives a restart)."""

    __slots__ = ("eng", "kind", "args")

    def __init__(self, eng: Engine, kind: str, args: dict[str, Any]) -> None:
        self.eng, self.kind, self.args = eng, kind, args

    def __call__(self, *given: Any) -> object:  # given: e.g. the DeliveryResult, for a request's handler
        return self.eng.actions[self.kind](self.eng, *given, **self.args)

    def record(self, due: float, label: str, account_sid: str | None = None) -> dict[str, Any]:
        """The fields of its ScheduledAction row."""
        return dict(account_sid=account_sid, due=due, seq=0, kind=self.kind,
                    args=self.args, label=label or self.kind)


def stored(eng: Engine, kind: str, **args: Any) -> Stored:
    """``eng.actions[kind](eng, **args)`` as a storable callable (args must be JSON-able)."""
    return Stored(eng, kind, args)


def schedule(eng: Engine, delay: float, kind: str, label: str = "", **args: Any) -> _Item | None:
    """Run ``eng.actions[kind](eng, **args)`` ``delay`` virtual seconds from now, stored."""
    return eng.after(float(delay), Stored(eng, kind, args), label or kind)


class Record:
    """A stored in-flight row (table and id). The rows are written and deleted with one
    statement each (``store.rows``) on the session's connection, inside its transaction
    (rolled back with the turn like any other change): they are never read back while the
    process lives, so the ORM unit of work (a flush sorting every pending object at each
    commit) bought nothing and was the larger part of an action's cost."""

    __slots__ = ("table", "id", "gone")

    def __init__(self, table: Table, row_id: int) -> None:
        self.table, self.id = table, row_id
        self.gone = False  # deleted in the current turn or a committed one


def _insert(db: Session, model: type[ScheduledAction] | type[PendingRequest],
            fields: dict[str, Any]) -> Record:
    table = cast("Table", model.__table__)
    return Record(table, rows.insert_row(db, table, fields))


def forget(db: Session, record: Record | None) -> None:
    """Drop a stored record (its action ran, or the request was sent). The engine asks again
    after the turn that ran it; that deletes it again only if the turn was rolled back
    (``SharedStore.rollback`` says so): SQLite gives a deleted row's id to the next insert,
    so a second delete after a commit could remove a row the turn just stored."""
    if record is None or record.gone:
        return
    rows.delete_row(db, record.table, record.id)
    record.gone = True
    db.info.setdefault(FORGOTTEN, []).append(record)


class NotStoredAction(TypeError):
    """A closure given to the scheduler while ``require_stored_actions`` is on: it would be
    lost on restart (make it a named kind in ``action_kinds``)."""


def record_for(eng: Engine, due: float, action: Action, label: str) -> Record | None:
    """The ScheduledAction row of a Stored action (written in the turn), else None (also when
    the store ends with the process: ``SharedStore.keeps_in_flight``)."""
    if not isinstance(action, Stored):
        if eng.config.require_stored_actions:
            raise NotStoredAction(f"scheduled action {label!r} is not stored ({action!r})")
        return None
    if not eng.store.keeps_in_flight:
        return None
    return _insert(eng.db, ScheduledAction, action.record(due, label, account_sid=eng.account_sid))


def store_request(eng: Engine, ob: Outbound) -> None:
    """Store a queued request (with its handler) so it is sent after a restart."""
    if ob.request is None or not eng.store.keeps_in_flight:
        return  # offloaded audio work: done again from the state, not stored
    fields = pending_record(ob)
    if fields is not None:
        ob.meta["record"] = _insert(eng.db, PendingRequest, fields)


def _world(eng: Engine) -> str:
    return eng.account_sid or DEFAULT_WORLD


def save_clock(eng: Engine) -> None:
    row = eng.db.get(ClockState, _world(eng))
    if row is None:
        eng.db.add(ClockState(world=_world(eng), now=eng.clock.now()))
    elif row.now != eng.clock.now():
        row.now = eng.clock.now()


def clear(eng: Engine) -> None:
    """A world's reset: its stored clock, actions and requests go."""
    db = eng.db
    db.execute(delete(ClockState).where(ClockState.world == _world(eng)))
    db.execute(delete(ScheduledAction).where(ScheduledAction.account_sid == eng.account_sid))
    db.execute(delete(PendingRequest).where(PendingRequest.account_sid == eng.account_sid))


def restore(eng: Engine) -> None:
    """Back on the heap and in the outbox: what a previous process left in the store."""
    from ..store.models import Account
    from ..webhooks.transport import OutboundRequest

    db = eng.db
    row = db.get(ClockState, _world(eng))
    if row is not None and eng.clock.mode == "manual":
        eng.clock.set(row.now)
    for rec in db.scalars(select(ScheduledAction)
                          .where(ScheduledAction.account_sid == eng.account_sid)
                          .order_by(ScheduledAction.due, ScheduledAction.seq,
                                    ScheduledAction.id)):
        if rec.kind not in eng.actions:
            db.delete(rec)  # written by a version that had that action; nothing runs it now
            continue
        item = eng.scheduler.at(rec.due, Stored(eng, rec.kind, dict(rec.args)), rec.label)
        item.record = Record(cast("Table", ScheduledAction.__table__), rec.id)
    for req in db.scalars(select(PendingRequest)
                          .where(PendingRequest.account_sid == eng.account_sid)
                          .order_by(PendingRequest.id)):
        acct = db.get(Account, req.account_sid) if req.account_sid else None
        meta: dict[str, Any] = {"record": Record(cast("Table", PendingRequest.__table__), req.id)}
        if req.journal_params is not None:
            meta["journal_params"] = [tuple(p) for p in req.journal_params]
        eng._outbox.append(Outbound(
            request=OutboundRequest(url=req.url, method=req.method,
                                    params=[tuple(p) for p in req.params], kind=req.kind),
            account_sid=req.account_sid, call_sid=req.call_sid,
            conference_sid=req.conference_sid, auth_token=acct.auth_token if acct else "",
            on_result=(Stored(eng, req.handler, dict(req.handler_args or {}))
                       if req.handler is not None and req.handler in eng.actions else None),
            meta=meta))
    db.commit()


def pending_record(ob: Outbound) -> dict[str, Any] | None:
    """The PendingRequest fields of an Outbound whose answer needs no handler, else None."""
    handler = ob.on_result
    if (handler is not None and not isinstance(handler, Stored)) or "collect" in ob.meta:
        return None  # answered by a closure: lives in memory only
    r = ob.request
    if r is None:
        return None  # offloaded audio work: nothing to send
    jp = ob.meta.get("journal_params")
    return dict(account_sid=ob.account_sid, url=r.url, method=r.method,
                params=[list(p) for p in r.params], kind=r.kind,
                call_sid=ob.call_sid, conference_sid=ob.conference_sid,
                journal_params=[list(p) for p in jp] if jp is not None else None,
                handler=handler.kind if handler is not None else None,
                handler_args=handler.args if handler is not None else None)
