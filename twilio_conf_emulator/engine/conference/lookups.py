"""Finding conferences and participants (with the session's lookup caches), and the states they
may be in."""

from sqlalchemy import inspect

from ...errors import NotFound
from ...store.models import Conference, Participant

ACTIVE = ("init", "in-progress")
LEFT_STATUSES = ("complete", "failed")


def get_conference(eng, account_sid, sid, path):
    conf = eng.db.get(Conference, sid) if sid else None
    if conf is None or conf.account_sid != account_sid:
        raise NotFound(path)
    return conf


def _in_session(row):
    """A cached row is trusted while it is still in the session (a rolled-back insert leaves
    it; a rolled-back change is read again)."""
    state = inspect(row)
    return state.persistent or state.pending


def lookups(eng, name):
    """A lookup cache of the session (``session.info``; reset empties it with the store)."""
    return eng.db.info.setdefault(name, {})


def active_by_name(eng, account_sid, name):
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


def active_participants(conf):
    return [p for p in conf.participants if p.active]


def connected_participants(conf):
    return [p for p in conf.participants if p.active and p.status == "connected"]


def find_participant(eng, conf, ref, path):
    """By Call SID or by label, among active participants only."""
    for p in active_participants(conf):
        if p.call_sid == ref or (p.label is not None and p.label == ref):
            return p
    raise NotFound(path)


def participant_for_call(eng, call_sid):
    """The active participant of ``call_sid``, or None. Hot (every leg event asks), so the
    last answer is cached and trusted while it is still in the session and still active."""
    cache = lookups(eng, "participant_by_call")
    part = cache.get(call_sid)
    if part is not None and _in_session(part) and part.active and part.call_sid == call_sid:
        return part
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


def touch(eng, *rows):
    for r in rows:
        r.date_updated = eng.now()
