"""Inbound virtual callers: a call to an IncomingPhoneNumber is routed by its VoiceUrl."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...store.models import Call, IncomingPhoneNumber
from .. import calls as call_legs
from .runner import app_error, fetch
from .state import alert, opt

if TYPE_CHECKING:  # annotations only
    from ..core import Engine


def find_number(eng: Engine, to: str) -> IncomingPhoneNumber | None:
    """The world's own number ``to`` (numbers of other worlds are not reachable)."""
    return (eng.db.query(IncomingPhoneNumber)
            .filter(IncomingPhoneNumber.phone_number == to,
                    IncomingPhoneNumber.account_sid == eng.account_sid)
            .order_by(IncomingPhoneNumber.date_created).first())


def inbound_call(eng: Engine, default_account_sid: str, from_: str, to: str, audio: Any = None,
                 digits: list[dict[str, Any]] | None = None, hangup_after: float | None = None,
                 speech: list[dict[str, Any]] | None = None) -> Call:
    """A virtual caller dials ``to``: routed by that IncomingPhoneNumber's VoiceUrl.

    The caller's script (``digits`` at seconds, ``hangup_after``) counts from the moment it
    dials.  Returns the Call row (status ringing until its first document runs)."""
    number = find_number(eng, to)
    fields = dict(number.fields or {}) if number is not None else {}
    account = number.account_sid if number is not None else default_account_sid
    voice = call_legs.voice_ref({"audio": audio}) if audio else None
    call = call_legs.new_call(
        eng, account, to=to, from_=from_, direction="inbound", purpose="twiml",
        url=fields.get("voice_url"), method=fields.get("voice_method") or "POST",
        fallback_url=fields.get("voice_fallback_url") or None,
        fallback_method=fields.get("voice_fallback_method") or "POST",
        status_callback=fields.get("status_callback") or None,
        status_callback_method=fields.get("status_callback_method") or "POST",
        caller_voice=voice,
    )
    call.start_time = eng.now()
    if number is not None:
        call.phone_number_sid = number.sid
    sid = call.sid
    if number is None:
        call_legs.set_status(eng, call, "failed")
        eng.alert(account, 21211, f"Inbound call to {to}: no IncomingPhoneNumber has this "
                  "number, so the call cannot be routed", call_sid=sid)
        return call
    call_legs.set_status(eng, call, "ringing")
    for step in digits or []:
        keys = str(step.get("digits", ""))
        eng.after(float(step.get("at", 0)), lambda k=keys: call_legs.press_digits(eng, sid, k),
                  f"caller digits {sid}")
    call_legs.schedule_speech(eng, sid, speech)
    if hangup_after is not None:
        eng.after(float(hangup_after), lambda: call_legs.hangup(eng, sid, by="caller"),
                  f"caller hangup {sid}")

    def ring() -> None:
        c = eng.db.get(Call, sid)
        if c is None or c.status != "ringing":
            return
        if not opt(c, "url"):
            alert(eng, c, 11100, f"{to} has no VoiceUrl: nothing to run for the call")
            app_error(eng, c)
            return
        fetch(eng, c, opt(c, "url"), opt(c, "method"), "voice")

    eng.soon(ring, f"incoming {sid}")
    return call
