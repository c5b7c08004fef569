"""Recordings: conference-level (list, fetch, update, delete) and account-level (list, fetch,
delete, media).

Media: ``/Accounts/{AC}/Recordings/{RE}`` with no extension or ``.wav`` is 8 kHz 16-bit PCM
(``audio/x-wav``), ``.mp3`` is ``audio/mpeg``, ``.json`` the metadata.  Downloads are mono
unless ``RequestedChannels=2`` is asked of a dual recording (asking it of a mono one logs
warning 16113 and serves mono).  Whether media needs HTTP auth is
``EmulatorConfig.recording_media_requires_auth``.

The views' routes are in ``late_views.py``: this module loads on the first request for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, request

from ..engine import recording as recording_engine
from ..engine.conference import lookups
from ..errors import NotFound
from ..store.models import Account, Recording
from . import filters, render
from .base import authenticated, engine, no_content, respond, world_for_path
from .ignored import consume
from .paging import paginate
from .params import PAGING, TBool, TChoice, TString, field, schema_class

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue

CURRENT = "Twilio.CURRENT"
STATUSES = ("in-progress", "paused", "stopped", "processing", "completed", "absent")
MIME = {"wav": "audio/x-wav", "mp3": "audio/mpeg"}

ListConferenceParams = schema_class("ListConferenceRecordingParams", dict(PAGING))
ListParams = schema_class("ListRecordingParams", {
    **PAGING,
    "call_sid": field(TString, "CallSid", code=20001),
    "conference_sid": field(TString, "ConferenceSid", code=20001),
    "include_soft_deleted": field(TBool, "IncludeSoftDeleted", code=20001),
})
UpdateParams = schema_class("UpdateConferenceRecordingParams", {
    "status": field(TChoice, "Status", code=20001, required=True, choices=STATUSES),
    "pause_behavior": field(TChoice, "PauseBehavior", code=20001, choices=("skip", "silence")),
})


def _dump_deleted(schema):
    def dump(r):
        body = schema.dump(r)
        if r.deleted:
            body["status"] = "deleted"
        return body
    return dump


# -- conference level ----------------------------------------------------------------------
def _conference_recording(eng, account, conference_sid, sid):
    conf = lookups.get_conference(eng, account.sid, conference_sid, request.path)
    if sid == CURRENT:
        rec = recording_engine.active_recording(eng, conf)
    else:
        rec = eng.db.get(Recording, sid)
    if (rec is None or rec.deleted or rec.conference_sid != conf.sid
            or rec.source != "Conference" or rec.account_sid != account.sid):
        raise NotFound(request.path)
    return conf, rec


@authenticated
def list_conference_recordings(account: Account, conference_sid: str) -> ResponseReturnValue:
    args = request.args
    p = ListConferenceParams.parse(args)
    preds = filters.date_filters(args, "DateCreated", "date_created")
    eng = engine()
    with eng.transaction() as db:
        conf = lookups.get_conference(eng, account.sid, conference_sid, request.path)
        rows = (db.query(Recording)
                .filter(Recording.conference_sid == conf.sid, Recording.source == "Conference",
                        Recording.deleted.is_(False))
                .all())
        rows = sorted(filters.apply(rows, preds), key=lambda r: (-r.date_created, r.sid))
        body = paginate(rows, "recordings", render.conference_recording.dump, request.path,
                        args, p)
    return respond(body)


@authenticated
def fetch_conference_recording(account: Account, conference_sid: str, sid: str) -> ResponseReturnValue:
    eng = engine()
    with eng.transaction():
        _, rec = _conference_recording(eng, account, conference_sid, sid)
        body = render.conference_recording.dump(rec)
    return respond(body)


@authenticated
def update_conference_recording(account: Account, conference_sid: str, sid: str) -> ResponseReturnValue:
    p = UpdateParams.parse(request.form)
    eng = engine()
    with eng.transaction():
        conf, rec = _conference_recording(eng, account, conference_sid, sid)
        recording_engine.update(eng, conf, rec, p["status"], p.get("pause_behavior"))
        body = render.conference_recording.dump(rec)
    return respond(body)


@authenticated
def delete_conference_recording(account: Account, conference_sid: str, sid: str) -> ResponseReturnValue:
    eng = engine()
    with eng.transaction():
        _, rec = _conference_recording(eng, account, conference_sid, sid)
        recording_engine.delete(eng, rec)
    return no_content()


# -- account level -------------------------------------------------------------------------
@authenticated
def list_recordings(account: Account) -> ResponseReturnValue:
    args = request.args
    p = ListParams.parse(args)
    preds = filters.date_filters(args, "DateCreated", "date_created")
    if p.get("call_sid"):
        preds.append(lambda r: r.call_sid == p["call_sid"])
    if p.get("conference_sid"):
        preds.append(lambda r: r.conference_sid == p["conference_sid"])
    if not p.get("include_soft_deleted"):
        preds.append(lambda r: not r.deleted)
    with engine().transaction() as db:
        rows = db.query(Recording).filter(Recording.account_sid == account.sid).all()
        rows = sorted(filters.apply(rows, preds), key=lambda r: (-r.date_created, r.sid))
        body = paginate(rows, "recordings", _dump_deleted(render.recording), request.path,
                        args, p)
    return respond(body)


def _account_recording(db, account_sid, sid, include_deleted=False):
    rec = db.get(Recording, sid)
    if rec is None or rec.account_sid != account_sid or (rec.deleted and not include_deleted):
        raise NotFound(request.path)
    return rec


def recording(account_sid: str, sid: str, ext: str | None = None) -> ResponseReturnValue:
    if ext is not None and ext not in ("json", "wav", "mp3"):
        raise NotFound(request.path)
    if (request.method == "GET" and ext != "json"
            and not world_for_path(account_sid).config.recording_media_requires_auth):
        return _media(None, account_sid, sid, ext or "wav")
    return _authenticated_recording(account_sid, sid=sid, ext=ext)


@authenticated
def _authenticated_recording(account, sid, ext):
    eng = engine()
    consume("IncludeSoftDeleted", "RequestedChannels")
    if request.method == "DELETE":
        with eng.transaction() as db:
            recording_engine.delete(eng, _account_recording(db, account.sid, sid))
        return no_content()
    if ext == "json":
        include = request.args.get("IncludeSoftDeleted", "").strip().lower() == "true"
        with eng.transaction() as db:
            body = _dump_deleted(render.recording)(_account_recording(db, account.sid, sid,
                                                                      include))
        return respond(body)
    return _media(account, account.sid, sid, ext or "wav")


def _media(account, account_sid, sid, fmt):
    eng = engine()
    want_dual = request.args.get("RequestedChannels", "").strip() == "2"
    with eng.transaction() as db:
        if account is None and db.get(Account, account_sid) is None:
            raise NotFound(request.path)
        rec = _account_recording(db, account_sid, sid)
        if rec.status != "completed" or not rec.wav:
            # In progress, processing, absent: there is no file (yet).
            raise NotFound(request.path)
        produce = recording_engine.media(eng, rec, fmt, want_dual, url=request.url)
    return current_app.response_class(produce(), mimetype=MIME[fmt])
