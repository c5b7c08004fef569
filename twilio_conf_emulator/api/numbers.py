"""IncomingPhoneNumbers: any E.164 number is "yours"; its VoiceUrl routes inbound virtual calls.

The views' routes are in ``late_views.py``: this module loads on the first request for one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import request

from ..engine import numbers as numbers_engine
from ..errors import BadRequest, NotFound
from ..store.models import IncomingPhoneNumber
from . import render
from .base import authenticated, engine, no_content, respond
from .paging import paginate
from .params import PAGING, TBool, TChoice, TMethod, TSid, TString, TUrl, field, schema_class

if TYPE_CHECKING:  # annotations only
    from collections.abc import Mapping

    from flask.typing import ResponseReturnValue
    from sqlalchemy.orm import Session

    from ..store.models import Account


WRITABLE = {
    "friendly_name": field(TString, "FriendlyName", max_length=64),
    "voice_url": field(TUrl, "VoiceUrl", code=21205, allow_empty=True),
    "voice_method": field(TMethod, "VoiceMethod"),
    "voice_fallback_url": field(TUrl, "VoiceFallbackUrl", code=21205, allow_empty=True),
    "voice_fallback_method": field(TMethod, "VoiceFallbackMethod"),
    "status_callback": field(TUrl, "StatusCallback", code=21205, allow_empty=True),
    "status_callback_method": field(TMethod, "StatusCallbackMethod"),
    "voice_caller_id_lookup": field(TBool, "VoiceCallerIdLookup",
                ignored="stored; CallerName is not looked up"),
    "voice_application_sid": field(TSid, "VoiceApplicationSid", prefix="AP",
                ignored="stored; calls are not routed to a TwiML application"),
    "sms_url": field(TUrl, "SmsUrl", code=21205, allow_empty=True,
                ignored="stored; SMS is not emulated"),
    "sms_method": field(TMethod, "SmsMethod",
                ignored="stored; SMS is not emulated"),
    "sms_fallback_url": field(TUrl, "SmsFallbackUrl", code=21205, allow_empty=True,
                ignored="stored; SMS is not emulated"),
    "sms_fallback_method": field(TMethod, "SmsFallbackMethod",
                ignored="stored; SMS is not emulated"),
    "sms_application_sid": field(TSid, "SmsApplicationSid", prefix="AP",
                ignored="stored; SMS is not emulated"),
    "voice_receive_mode": field(TChoice, "VoiceReceiveMode", choices=("voice", "fax"),
                ignored="stored; fax is not emulated"),
    "emergency_status": field(TChoice, "EmergencyStatus", choices=("Active", "Inactive")),
    "emergency_address_sid": field(TSid, "EmergencyAddressSid", prefix="AD"),
    "trunk_sid": field(TSid, "TrunkSid", prefix="TK",
                ignored="stored; calls are not routed to a SIP trunk"),
    "identity_sid": field(TSid, "IdentitySid", prefix="RI"),
    "address_sid": field(TSid, "AddressSid", prefix="AD"),
    "bundle_sid": field(TSid, "BundleSid", prefix="BU"),
}
CreateParams = schema_class("CreateIncomingPhoneNumberParams", {
    **WRITABLE,
    "phone_number": field(TString, "PhoneNumber", code=21421),
    "area_code": field(TString, "AreaCode", code=21421),
})
UpdateParams = schema_class("UpdateIncomingPhoneNumberParams", dict(WRITABLE))
ListParams = schema_class("ListIncomingPhoneNumberParams", {
    **PAGING,
    "phone_number": field(TString, "PhoneNumber", code=20001),
    "friendly_name": field(TString, "FriendlyName", code=20001),
})


def _number(p: Mapping[str, Any]) -> str | None:
    if p.get("phone_number"):
        digits = "".join(ch for ch in p["phone_number"] if ch.isdigit())
        if not (p["phone_number"].strip().startswith("+") and 2 <= len(digits) <= 15):
            raise BadRequest(f"PhoneNumber {p['phone_number']!r} is not a valid E.164 number",
                             code=21421)
        return "+" + digits
    if p.get("area_code"):
        code = p["area_code"]
        if not (code.isdigit() and len(code) == 3):
            raise BadRequest(f"AreaCode {code!r} is not valid", code=21421)
        return None  # picked below, deterministically
    raise BadRequest("A PhoneNumber or AreaCode is required", code=21421)


def get_number(db: Session, account: Account, sid: str) -> IncomingPhoneNumber:
    n = db.get(IncomingPhoneNumber, sid)
    if n is None or n.account_sid != account.sid:
        raise NotFound(request.path)
    return n


@authenticated
def create_number(account: Account) -> ResponseReturnValue:
    p = CreateParams.parse(request.form)
    number = _number(p)
    eng = engine()
    with eng.transaction():
        row = numbers_engine.create(eng, account.sid, number, p.get("area_code"),
                                    {k: v for k, v in p.items() if k in WRITABLE})
        body = render.render_incoming_number(row)
    return respond(body, 201)


@authenticated
def list_numbers(account: Account) -> ResponseReturnValue:
    p = ListParams.parse(request.args)
    with engine().transaction() as db:
        rows = db.query(IncomingPhoneNumber).filter(
            IncomingPhoneNumber.account_sid == account.sid).all()
        if "phone_number" in p:
            rows = [r for r in rows if p["phone_number"].replace(" ", "+") in r.phone_number]
        if "friendly_name" in p:
            rows = [r for r in rows if render.render_incoming_number(r)["friendly_name"]
                    == p["friendly_name"]]
        rows.sort(key=lambda r: (r.date_created, r.sid))
        body = paginate(rows, "incoming_phone_numbers", render.render_incoming_number,
                        request.path, request.args, p)
    return respond(body)


@authenticated
def fetch_number(account: Account, sid: str) -> ResponseReturnValue:
    with engine().transaction() as db:
        body = render.render_incoming_number(get_number(db, account, sid))
    return respond(body)


@authenticated
def update_number(account: Account, sid: str) -> ResponseReturnValue:
    p = UpdateParams.parse(request.form)
    eng = engine()
    with eng.transaction() as db:
        row = numbers_engine.update(eng, get_number(db, account, sid), p)
        body = render.render_incoming_number(row)
    return respond(body)


@authenticated
def delete_number(account: Account, sid: str) -> ResponseReturnValue:
    with engine().transaction() as db:
        db.delete(get_number(db, account, sid))
    return no_content()
