"""Call recordings: ``/Calls/{CallSid}/Recordings`` list, create (start recording the live
call), fetch, update (pause / resume / stop; ``Twilio.CURRENT`` is the latest live one) and
delete.  A ``Record=true`` leg's recording is listed here as well as at account level.

The views' routes are in ``late_views.py``: this module loads on the first request for one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from marshmallow import fields

from ..engine import call_recordings as engine_calls
from ..engine import recording as recording_engine
from ..errors import NotFound
from ..store.models import Recording
from . import filters, render
from .base import authenticated, engine, no_content, respond
from .calls import get_call
from .paging import paginate
from .params import PAGING, TChoice, TList, TMethod, TUrl, field, schema_class

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue

    from ..engine.core import Engine
    from ..store.models import Account

CURRENT = "Twilio.CURRENT"


class CallRecordingSchema(render.ConferenceRecordingSchema):
    track = fields.Function(lambda r: (r.options or {}).get("track", "both"))
    uri = fields.Function(
        lambda r: f"{render.ROOT}/{r.account_sid}/Calls/{r.call_sid}/Recordings/{r.sid}.json")


call_recording = CallRecordingSchema()

ListParams = schema_class("ListCallRecordingParams", dict(PAGING))
CreateParams = schema_class("CreateCallRecordingParams", {
    "recording_status_callback_event": field(
        TList, "RecordingStatusCallbackEvent", choices=("in-progress", "completed", "absent")),
    "recording_status_callback": field(TUrl, "RecordingStatusCallback", code=21205),
    "recording_status_callback_method": field(TMethod, "RecordingStatusCallbackMethod"),
    "trim": field(TChoice, "Trim", choices=("trim-silence", "do-not-trim")),
    "recording_channels": field(TChoice, "RecordingChannels", choices=("mono", "dual")),
    "recording_track": field(TChoice, "RecordingTrack", choices=engine_calls.TRACKS),
})
UpdateParams = schema_class("UpdateCallRecordingParams", {
    "status": field(TChoice, "Status", code=20001, required=True,
                    choices=("in-progress", "paused", "stopped", "processing", "completed",
                             "absent")),
    "pause_behavior": field(TChoice, "PauseBehavior", code=20001, choices=("skip", "silence")),
})


def _recording(eng: Engine, account: Account, call_sid: str, sid: str) -> Recording:
    call = get_call(eng.db, account, call_sid)
    rec = engine_calls.active(eng, call) if sid == CURRENT else eng.db.get(Recording, sid)
    if (rec is None or rec.deleted or rec.call_sid != call.sid or rec.source == "Conference"
            or rec.account_sid != account.sid):
        raise NotFound(request.path)
    return rec


@authenticated
def list_call_recordings(account: Account, call_sid: str) -> ResponseReturnValue:
    args = request.args
    p = ListParams.parse(args)
    preds = filters.date_filters(args, "DateCreated", "date_created")
    eng = engine()
    with eng.transaction():
        call = get_call(eng.db, account, call_sid)
        rows = [r for r in engine_calls.for_call(eng, call) if not r.deleted]
        rows = sorted(filters.apply(rows, preds), key=lambda r: (-r.date_created, r.sid))
        body = paginate(rows, "recordings", call_recording.dump, request.path, args, p)
    return respond(body)


@authenticated
def create_call_recording(account: Account, call_sid: str) -> ResponseReturnValue:
    p = CreateParams.parse(request.form)
    eng = engine()
    with eng.transaction():
        rec = engine_calls.start(eng, get_call(eng.db, account, call_sid), p)
        body = call_recording.dump(rec)
    return respond(body, 201)


@authenticated
def fetch_call_recording(account: Account, call_sid: str, sid: str) -> ResponseReturnValue:
    eng = engine()
    with eng.transaction():
        body = call_recording.dump(_recording(eng, account, call_sid, sid))
    return respond(body)


@authenticated
def update_call_recording(account: Account, call_sid: str, sid: str) -> ResponseReturnValue:
    p = UpdateParams.parse(request.form)
    eng = engine()
    with eng.transaction():
        rec = _recording(eng, account, call_sid, sid)
        engine_calls.update(eng, rec, p["status"], p.get("pause_behavior"))
        body = call_recording.dump(rec)
    return respond(body)


@authenticated
def delete_call_recording(account: Account, call_sid: str, sid: str) -> ResponseReturnValue:
    eng = engine()
    with eng.transaction():
        recording_engine.delete(eng, _recording(eng, account, call_sid, sid))
    return no_content()
