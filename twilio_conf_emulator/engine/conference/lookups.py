"""Finding conferences and participants (with the session's lookup caches), and the states they
may be in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

from ...errors import NotFound
from ...store.models import Conference, Participant

if TYPE_CHECKING:  # annotations only
    from ..core import Engine

ACTIVE = ("init", "in-progress")
LEFT_STATUSES = ("complete", "failed")


def get_conference(eng: Engine, account_sid: str, sid: str | None, path: str) -> Conference:
    conf = eng.db.get(Conference, sid) if sid else None
    if conf is None or conf.account_sid != account_sid:
        raise NotFound(path)
    return conf


def _in_session(row: Any) -> bool:
    """A cached row is trusted while it is still in the session (a rolled-back insert leaves
    it; a rolled-back change is read again)."""
    state = inspect(row)
    return state.persistent or state.pending


def lookups(eng: Engine, name: str) -> dict[Any, Any]:
    """A lookup cache of the session (``session.info``; reset empties it with the store)."""
    return eng.db.info.setdefault(name, {})


def active_by_name(eng: Engine, account_sid: str, name: str) -> Conference | None:
    # Cached like participant_for_call: trusted while still in the session and active.
    cache = lookups(eng, "active_conference_by_name")
    conf = cache.get((account_sid, name))
    if conf is not None and _in_session(conf) and conf.status in ACTIVE:
        return conf
    conf = (
        eng.db.query(Conference)
        .filter(Conference.account_sid == account_sid, Conference.friendly_name == name,
                Conference.status.in_(ACTIVE))
        .order_by(Conference.date_created.desc())
        .first()
    )
    if conf is not None:
        cache[(account_sid, name)] = conf
    return conf


def active_participants(conf: Conference) -> list[Participant]:
    return [p for p in conf.participants if p.active]


def connected_participants(conf: Conference) -> list[Participant]:
    return [p for p in conf.participants if p.active and p.status == "connected"]


def find_participant(eng: Engine, conf: Conference, ref: str, path: str) -> Participant:
    """By Call SID or by label, among active participants only."""
    for p in active_participants(conf):
        if p.call_sid == ref or (p.label is not None and p.label == ref):
            return p
    raise NotFound(path)


def participant_for_call(eng: Engine, call_sid: str) -> Participant | None:
    """The active participant of ``call_sid``, or None. Hot (every leg event asks), so the
    last answer is cached and trusted while it is still in the session. A cached participant
    that has left answers None too: every participant row is made by ``add_participant``,
    which caches it, so a newer one for the call would be the one cached (a conference that
    ends hangs up every leg, and each hang-up asks)."""
    cache = lookups(eng, "participant_by_call")
    part = cache.get(call_sid)
    if part is not None and _in_session(part) and part.call_sid == call_sid:
        return part if part.active else None
    part = (
        eng.db.query(Participant)
        .filter(Participant.call_sid == call_sid, Participant.active.is_(True))
        .first()
    )
    if part is not None:
        cache[call_sid] = part
    else:
        cache.pop(call_sid, None)
    return part


def touch(eng: Engine, *rows: Any) -> None:
    for r in rows:
        r.date_updated = eng.now()
