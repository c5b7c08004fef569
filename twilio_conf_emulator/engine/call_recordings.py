"""Call recordings started, paused, resumed and stopped through the REST API
(``/Calls/{CallSid}/Recordings``), and what every call recording keeps for rendering.

A recording started on a live call (source ``StartCallRecordingAPI``) covers the call from
now to its end or to ``Status=stopped``.  Pauses are kept as ``[at, until, behavior]`` in
the row's options; the renderer silences (``silence``) or cuts (``skip``) them.
``RecordingTrack`` picks what is recorded: ``inbound`` is what the call said, ``outbound``
what it heard, ``both`` the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import BadRequest
from ..store.models import Recording
from . import recording

if TYPE_CHECKING:  # annotations only
    from ..store.models import Call
    from .core import Engine

NOT_ELIGIBLE = 21220  # Twilio: "Invalid call state for recording" / not eligible
TRACKS = ("inbound", "outbound", "both")


def for_call(eng: Engine, call: Call) -> list[Recording]:
    """Every recording of the call itself (conference recordings are the conference's)."""
    rows = (eng.db.query(Recording)
            .filter(Recording.call_sid == call.sid, Recording.source != "Conference")
            .all())
    return rows


def active(eng: Engine, call: Call) -> Recording | None:
    live = [r for r in for_call(eng, call) if r.status in recording.LIVE and not r.deleted]
    live.sort(key=lambda r: (-r.date_created, r.sid))
    return live[0] if live else None


def start(eng: Engine, call: Call, p: Mapping[str, Any]) -> Recording:
    """POST /Calls/{CallSid}/Recordings: record the live call from now."""
    if call.status != "in-progress":
        raise BadRequest(f"Requested resource is not eligible for recording: call {call.sid} "
                         f"is {call.status}, not in-progress", code=NOT_ELIGIBLE)
    now = eng.now()
    channels = 2 if p.get("recording_channels") == "dual" else 1
    rec = Recording(
        sid=eng.sids.new("RE"), account_sid=call.account_sid, conference_sid=None,
        call_sid=call.sid, status="in-progress", source="StartCallRecordingAPI",
        channels=channels, start_time=now, duration=None, date_created=now, date_updated=now,
        options={
            "trim": (p.get("trim") or "do-not-trim") == "trim-silence",
            "track": p.get("recording_track") or "both",
            "status_callback": p.get("recording_status_callback"),
            "status_callback_method": p.get("recording_status_callback_method") or "POST",
            "status_callback_events": p.get("recording_status_callback_event") or ["completed"],
            "pauses": [],
        },
    )
    eng.db.add(rec)
    recording.mark_recorded(eng, call.sid)
    recording.send_status(eng, rec, "in-progress")
    return rec


def update(eng: Engine, rec: Recording, status: str, pause_behavior: str | None = None) -> Recording:
    """POST /Calls/{CallSid}/Recordings/{Sid}: pause, resume or stop."""
    if rec.status not in recording.LIVE:
        raise BadRequest(f"Recording {rec.sid} is not in-progress or paused; a recording in "
                         f"state '{rec.status}' cannot be updated", code=21220)
    if status not in ("paused", "in-progress", "stopped"):
        raise BadRequest(f"Status must be paused, in-progress or stopped to update a recording, "
                         f"not {status!r}", code=21220)
    now = eng.now()
    opts = dict(rec.options or {})
    pauses = [list(x) for x in opts.get("pauses") or []]
    if status == "paused" and rec.status == "in-progress":
        pauses.append([now, None, pause_behavior or "silence"])
        rec.status = "paused"
    elif status in ("in-progress", "stopped") and rec.status == "paused":
        pauses[-1][1] = now
        rec.status = "in-progress"
    opts["pauses"] = pauses
    rec.options = opts
    rec.date_updated = now
    if status == "stopped":
        rec.options = {**rec.options, "end_time": now}
        recording.finish(eng, rec, "stopped")
    return rec
