"""``<Dial record>`` for ``<Dial><Number>`` bridges: a recording of the parent call (source
``DialVerb``) from the answer (``record-from-answer``) or from the start of dialling
(``record-from-ringing``) to the end of the bridge; ``-dual`` makes it two-channel
(channel 1 the parent's side, channel 2 the dialled party's).  Rendering, status callbacks
and the REST views are those of every call recording (engine.recording).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..store.models import Recording
from . import recording

if TYPE_CHECKING:  # annotations only
    from ..store.models import Call
    from .core import Engine
    from .twiml.model import Dial


def settings(dial: Dial) -> dict[str, Any] | None:
    """What a <Dial> asked for, kept in the dial state (None: do-not-record)."""
    if dial.record == "do-not-record":
        return None
    return {
        "from": "ringing" if "ringing" in dial.record else "answer",
        "channels": 2 if dial.record.endswith("-dual") else 1,
        "trim": dial.trim == "trim-silence",
        "track": dial.recording_track,
        "status_callback": dial.recording_status_callback,
        "status_callback_method": dial.recording_status_callback_method or "POST",
        "status_callback_events": list(dial.recording_status_callback_event or ["completed"]),
    }


def start(eng: Engine, parent: Call, state: dict[str, Any] | None, moment: str) -> str | None:
    """``moment`` is ``ringing`` (dialling starts) or ``answer`` (the dialled party answers).
    Returns the recording SID, or None when nothing starts now."""
    rec_opts = (state or {}).get("record")
    if state is None or not rec_opts or rec_opts["from"] != moment or state.get("recording_sid"):
        return None
    now = eng.now()
    rec = Recording(
        sid=eng.sids.new("RE"), account_sid=parent.account_sid, conference_sid=None,
        call_sid=parent.sid, status="in-progress", source="DialVerb",
        channels=rec_opts["channels"], start_time=now, duration=None, date_created=now,
        date_updated=now,
        options={"trim": rec_opts["trim"], "track": rec_opts["track"], "pauses": [],
                 "status_callback": rec_opts["status_callback"],
                 "status_callback_method": rec_opts["status_callback_method"],
                 "status_callback_events": rec_opts["status_callback_events"]},
    )
    eng.db.add(rec)
    recording.mark_recorded(eng, parent.sid)
    recording.send_status(eng, rec, "in-progress")
    return rec.sid


def stop(eng: Engine, state: dict[str, Any] | None) -> None:
    """The bridge (or the dialling) is over: the Dial recording ends now."""
    sid = (state or {}).get("recording_sid")
    rec = eng.db.get(Recording, sid) if sid else None
    if rec is None or rec.status not in recording.LIVE:
        return
    rec.options = {**(rec.options or {}), "end_time": eng.now()}
    recording.finish(eng, rec)
