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
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from ..store.inflight import ClockState, PendingRequest, ScheduledAction

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import InstanceState, Session

    from ..webhooks.transport import OutboundRequest
    from .clock import Action, _Item
    from .core import Engine

DEFAULT_WORLD = "default"


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

    def record(self, due: float, label: str, account_sid: str | None = None) -> ScheduledAction:
        return ScheduledAction(account_sid=account_sid, due=due, seq=0, kind=self.kind,
                               args=self.args, label=label or self.kind)


def stored(eng: Engine, kind: str, **args: Any) -> Stored:
    """``eng.actions[kind](eng, **args)`` as a storable callable (args must be JSON-able)."""
    return Stored(eng, kind, args)


def schedule(eng: Engine, delay: float, kind: str, label: str = "", **args: Any) -> _Item | None:
    """Run ``eng.actions[kind](eng, **args)`` ``delay`` virtual seconds from now, stored."""
    return eng.after(float(delay), Stored(eng, kind, args), label or kind)


def forget(db: Session, record: ScheduledAction | PendingRequest | None) -> None:
    """Drop a stored record (its action ran, or the state was reset)."""
    if record is None:
        return
    state: InstanceState[Any] = sa_inspect(record)
    if state.pending:
        db.expunge(record)
    elif state.persistent:
        db.delete(record)


class NotStoredAction(TypeError):
    """A closure given to the scheduler while ``require_stored_actions`` is on: it would be
    lost on restart (make it a named kind in ``action_kinds``)."""


def record_for(eng: Engine, due: float, action: Action, label: str) -> ScheduledAction | None:
    """The ScheduledAction row of a Stored action (added to the turn), else None."""
    if not isinstance(action, Stored):
        if eng.config.require_stored_actions:
            raise NotStoredAction(f"scheduled action {label!r} is not stored ({action!r})")
        return None
    record = action.record(due, label, account_sid=eng.account_sid)
    eng.db.add(record)
    return record


def store_request(eng: Engine, ob: Outbound) -> None:
    """Store a queued request (with its handler) so it is sent after a restart."""
    if ob.request is None:
        return  # offloaded audio work: done again from the state, not stored
    record = pending_record(ob)
    if record is not None:
        eng.db.add(record)
        ob.meta["record"] = record


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
    from sqlalchemy import delete

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
        item.record = rec
    for req in db.scalars(select(PendingRequest)
                          .where(PendingRequest.account_sid == eng.account_sid)
                          .order_by(PendingRequest.id)):
        acct = db.get(Account, req.account_sid) if req.account_sid else None
        meta: dict[str, Any] = {"record": req}
        if req.journal_params is not None:
            meta["journal_params"] = [tuple(p) for p in req.journal_params]
        eng._outbox.append(Outbound(
            request=OutboundRequest(url=req.url, method=req.method,
                                    params=[tuple(p) for p in req.params], kind=req.kind),
            account_sid=req.account_sid, call_sid=req.call_sid,
            conference_sid=req.conference_sid, auth_token=acct.auth_token if acct else "",
            on_result=(Stored(eng, req.handler, dict(req.handler_args or {}))
                       if req.handler in eng.actions else None),
            meta=meta))
    db.commit()


def pending_record(ob: Outbound) -> PendingRequest | None:
    """A PendingRequest row for an Outbound whose answer needs no handler, else None."""
    handler = ob.on_result
    if (handler is not None and not isinstance(handler, Stored)) or "collect" in ob.meta:
        return None  # answered by a closure: lives in memory only
    r = ob.request
    if r is None:
        return None  # offloaded audio work: nothing to send
    jp = ob.meta.get("journal_params")
    return PendingRequest(account_sid=ob.account_sid, url=r.url, method=r.method,
                          params=[list(p) for p in r.params], kind=r.kind,
                          call_sid=ob.call_sid, conference_sid=ob.conference_sid,
                          journal_params=[list(p) for p in jp] if jp is not None else None,
                          handler=handler.kind if handler is not None else None,
                          handler_args=handler.args if handler is not None else None)
