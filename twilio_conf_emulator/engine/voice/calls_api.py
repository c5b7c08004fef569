"""The Calls API on TwiML legs: Create Call (dial ``To``, run ``Twiml``/``Url`` when it answers),
Update Call (redirect or end it), Delete Call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import BadRequest, NotImplementedYet
from .. import amd
from .. import calls as call_legs
from ..callbacks import TERMINAL_CALL_STATUSES
from .leg import redirect as redirect_live

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine

ACTIVE_CALL_STATUSES = call_legs.ACTIVE_CALL_STATUSES


def create_api_call(eng: Engine, account: Any, p: dict[str, Any]) -> Call:
    """POST /Calls.json: dial ``To``; when it answers, run ``Twiml`` or the TwiML at ``Url``."""
    url, twiml = p.get("url"), p.get("twiml")
    if not url and not twiml and not p.get("application_sid"):
        raise BadRequest("Url parameter is required", code=21205)
    if p.get("application_sid") and not url and not twiml:
        raise NotImplementedYet("Applications (ApplicationSid)")
    if url:
        twiml = None  # "If both twiml and url are provided then twiml will be ignored."
    call = call_legs.new_call(
        eng, account.sid, to=p["to"], from_=call_legs.caller_id(p), direction="outbound-api",
        purpose="twiml",
        url=url, method=p.get("method") or "POST", twiml=twiml,
        fallback_url=p.get("fallback_url"), fallback_method=p.get("fallback_method") or "POST",
        status_callback=p.get("status_callback"),
        status_callback_method=p.get("status_callback_method") or "POST",
        status_callback_events=p.get("status_callback_event") or ["completed"],
        timeout=p.get("timeout", 60), time_limit=p.get("time_limit"),
        send_digits=p.get("send_digits"), record=p.get("record", False),
        **call_legs.recording_options(p),
        **amd.request_options(p, "async_amd_status_callback", "async_amd_status_callback_method",
                              async_key="async_amd"),
    )
    call_legs.dial(eng, call)
    return call


def update_api_call(eng: Engine, call: Call, p: dict[str, Any]) -> Call:
    """POST /Calls/{Sid}.json: redirect (Url/Twiml) or end (Status) a call."""
    if p.get("url") and p.get("twiml"):
        raise BadRequest("Twiml and Url parameters are mutually exclusive", code=21200)
    status = p.get("status")
    redirect = p.get("url") or p.get("twiml")
    if call.status in TERMINAL_CALL_STATUSES and (redirect or status):
        raise BadRequest(f"Call is not in-progress. Cannot redirect or end a call in state "
                         f"'{call.status}'.", code=21220)
    opts = dict(call.options or {})
    if p.get("status_callback"):
        if not p.get("url"):
            raise BadRequest("Updating StatusCallback requires Url in the same request",
                             code=21200)
        opts["status_callback"] = p["status_callback"]
        opts["status_callback_method"] = p.get("status_callback_method") or "POST"
    if p.get("time_limit"):
        opts["time_limit"] = p["time_limit"]
    call.options = opts
    if status == "canceled":
        if call.status in ("queued", "ringing"):
            call_legs.hangup(eng, call.sid, by="api")
        return call
    if status == "completed":
        call_legs.hangup(eng, call.sid, by="api")
        return call
    if redirect:
        new: dict[str, Any] = {"url": p.get("url"), "method": p.get("method") or "POST", "twiml": p.get("twiml")}
        if call.status == "in-progress":
            redirect_live(eng, call, **new)
        else:
            # Not answered yet: the new instructions run when it is.
            call.options = {**call.options, **new, "purpose": "twiml"}
    call_legs.set_status(eng, call, call.status)
    return call


def delete_api_call(eng: Engine, call: Call) -> None:
    if call.status in ACTIVE_CALL_STATUSES:
        raise BadRequest("Cannot delete a call that is queued, ringing or in progress",
                         code=21220)
    call.deleted = True
