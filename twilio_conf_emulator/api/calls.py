"""Calls: create (``Url`` / ``Twiml`` / ``ApplicationSid``), list, fetch, update, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request

from ..errors import NotFound
from ..store.models import Call
from . import filters, render
from .base import authenticated, engine, no_content, respond
from .blueprint import blueprint
from .ignored import ignore
from .paging import paginate
from .params import AMD, PAGING, TBool, TChoice, TEndpoint, TInt, TList, TMethod, TSid, TString, TUrl, field, schema_class

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue
    from sqlalchemy.orm import Session

    from ..store.models import Account

PATH = "/Accounts/<account_sid>/Calls"
STATUSES = ("queued", "ringing", "in-progress", "canceled", "completed", "failed", "busy",
            "no-answer")

CreateParams = schema_class("CreateCallParams", {
    "to": field(TEndpoint, "To", code=21211, required=True, required_code=21201,
                required_message="A 'To' phone number is required."),
    "from_": field(TEndpoint, "From", code=21212, required=True, required_code=21213,
                   required_message="A 'From' phone number is required."),
    "url": field(TUrl, "Url", code=21205, allow_empty=True),
    "twiml": field(TString, "Twiml", code=21200, max_length=4000),
    "application_sid": field(TSid, "ApplicationSid", code=21205, prefix="AP"),
    "method": field(TMethod, "Method", code=21200),
    "fallback_url": field(TUrl, "FallbackUrl", code=21205),
    "fallback_method": field(TMethod, "FallbackMethod"),
    "status_callback": field(TUrl, "StatusCallback", code=21205, no_underscore=True),
    "status_callback_event": field(TList, "StatusCallbackEvent",
                                   choices=("initiated", "ringing", "answered", "completed")),
    "status_callback_method": field(TMethod, "StatusCallbackMethod"),
    "send_digits": field(TString, "SendDigits", max_length=32),
    "timeout": field(TInt, "Timeout", min=1, max=600),
    "record": field(TBool, "Record"),
    "recording_channels": field(TChoice, "RecordingChannels", choices=("mono", "dual")),
    "recording_status_callback": field(TUrl, "RecordingStatusCallback", code=21205),
    "recording_status_callback_method": field(TMethod, "RecordingStatusCallbackMethod"),
    "recording_status_callback_event": field(TList, "RecordingStatusCallbackEvent",
                                             choices=("in-progress", "completed", "absent")),
    "trim": field(TChoice, "Trim", choices=("trim-silence", "do-not-trim")),
    "caller_id": field(TString, "CallerId"),
    "time_limit": field(TInt, "TimeLimit", min=1, max=86400),
    **AMD,
    "async_amd": field(TBool, "AsyncAmd"),
    "async_amd_status_callback": field(TUrl, "AsyncAmdStatusCallback", code=21205),
    "async_amd_status_callback_method": field(TMethod, "AsyncAmdStatusCallbackMethod"),
})

UpdateParams = schema_class("UpdateCallParams", {
    "url": field(TUrl, "Url", code=21205),
    "method": field(TMethod, "Method"),
    "status": field(TChoice, "Status", code=21200, choices=("canceled", "completed")),
    "fallback_url": field(TUrl, "FallbackUrl", code=21205),
    "fallback_method": field(TMethod, "FallbackMethod"),
    "status_callback": field(TUrl, "StatusCallback", code=21205, no_underscore=True),
    "status_callback_method": field(TMethod, "StatusCallbackMethod"),
    "twiml": field(TString, "Twiml", code=21200, max_length=4000),
    "time_limit": field(TInt, "TimeLimit", min=1, max=86400),
})

ListParams = schema_class("ListCallParams", {
    **PAGING,
    "to": field(TString, "To", code=20001),
    "from_": field(TString, "From", code=20001),
    "parent_call_sid": field(TSid, "ParentCallSid", code=20001, prefix="CA"),
})


def get_call(db: Session, account: Account, sid: str) -> Call:
    call = db.get(Call, sid)
    if call is None or call.account_sid != account.sid or call.deleted:
        raise NotFound(request.path)
    return call


@blueprint.post(PATH + ".json")
@authenticated
def create_call(account: Account) -> ResponseReturnValue:
    p = CreateParams.parse(request.form)
    if p.get("application_sid") and (p.get("url") or p.get("twiml")):
        ignore("ApplicationSid", "Url or Twiml is given and is used instead")
    # The voice engine loads with the first call made or changed through the API.
    from ..engine.voice import calls_api

    eng = engine()
    with eng.transaction():
        call = calls_api.create_api_call(eng, account, p)
        body = render.call.dump(call)
    return respond(body, 201)


@blueprint.get(PATH + ".json")
@authenticated
def list_calls(account: Account) -> ResponseReturnValue:
    args = request.args
    p = ListParams.parse(args)
    preds = (filters.enum_filter(args, "Status", "status", STATUSES)
             + filters.datetime_filters(args, "StartTime", "start_time")
             + filters.datetime_filters(args, "EndTime", "end_time"))
    for key, attr in (("to", "to"), ("from_", "from_"), ("parent_call_sid", "parent_call_sid")):
        if key in p:
            preds.append(lambda c, a=attr, v=p[key]: getattr(c, a) == v)
    with engine().transaction() as db:
        rows = db.query(Call).filter(Call.account_sid == account.sid,
                                     Call.deleted.is_(False)).all()
        rows = sorted(filters.apply(rows, preds), key=lambda c: (-c.date_created, c.sid))
        body = paginate(rows, "calls", render.call.dump, request.path, args, p)
    return respond(body)


@blueprint.get(PATH + "/<sid>.json")
@authenticated
def fetch_call(account: Account, sid: str) -> ResponseReturnValue:
    with engine().transaction() as db:
        body = render.call.dump(get_call(db, account, sid))
    return respond(body)


@blueprint.post(PATH + "/<sid>.json")
@authenticated
def update_call(account: Account, sid: str) -> ResponseReturnValue:
    p = UpdateParams.parse(request.form)
    from ..engine.voice import calls_api

    eng = engine()
    with eng.transaction() as db:
        call = get_call(db, account, sid)
        calls_api.update_api_call(eng, call, p)
        body = render.call.dump(call)
    return respond(body)


@blueprint.delete(PATH + "/<sid>.json")
@authenticated
def delete_call(account: Account, sid: str) -> ResponseReturnValue:
    from ..engine.voice import calls_api

    eng = engine()
    with eng.transaction() as db:
        calls_api.delete_api_call(eng, get_call(db, account, sid))
    return no_content()
