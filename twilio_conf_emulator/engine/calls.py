"""Call legs: queued -> initiated -> ringing -> in-progress -> completed, or busy / no-answer /
failed / canceled, as the dialled virtual phone is configured.

A leg knows what it is for (``options["purpose"]``): ``participant`` legs join a conference
when answered, ``twiml`` legs run TwiML. The modules that own those purposes are reached
through the engine's table (``eng.purpose_of(call)``, given to ``Engine(purposes=...)``), so
this module depends on none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..errors import BadRequest
from ..store.models import Call, VirtualPhone
from ..webhooks.transport import OutboundRequest
from . import amd, callbacks, recording
from .actions import schedule
from .callbacks import TERMINAL_CALL_STATUSES

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import Session

    from .core import Engine

ACTIVE_CALL_STATUSES = ("queued", "ringing", "in-progress")
PHONE_OUTCOMES = ("answer", "busy", "no-answer", "failed")


# -- virtual phones --------------------------------------------------------------------------
def phone_key(account_sid: str | None, number: str) -> str:
    return f"{account_sid or '*'}|{number}"


def set_phone(db: Session, number: str, config: dict[str, Any],
              account_sid: str | None = None) -> dict[str, Any]:
    outcome = config.get("outcome", "answer")
    if outcome not in PHONE_OUTCOMES:
        raise BadRequest(f"outcome must be one of {', '.join(PHONE_OUTCOMES)}")
    for key in ("answer_after", "hangup_after"):
        if config.get(key) is not None:
            try:
                config[key] = float(config[key])
            except (TypeError, ValueError):
                raise BadRequest(f"{key} must be a number of seconds") from None
            if config[key] < 0:
                raise BadRequest(f"{key} must be >= 0")
    digits = config.get("digits") or []
    if not isinstance(digits, list) or not all(
        isinstance(d, dict) and "digits" in d for d in digits
    ):
        raise BadRequest('digits must be a list of {"at": seconds, "digits": "1#"}')
    check_speech(config.get("speech"))
    amd.check_phone(config)
    row = db.get(VirtualPhone, phone_key(account_sid, number))
    if row is None:
        row = VirtualPhone(number=phone_key(account_sid, number), config={})
        db.add(row)
    row.config = {**config, "number": number}
    db.info.pop("phones", None)
    return row.config


def get_phone(eng: Engine, account_sid: str | None, number: str) -> dict[str, Any]:
    # Every configured phone, read once per session (a table of what users set up, small)
    # and kept in the session's lookup caches, as in conference.lookups; set_phone and
    # reset drop it. Each dial used to ask the store twice for a number nobody configured.
    table = eng.db.info.get("phones")
    if table is None:
        table = eng.db.info["phones"] = dict(
            eng.db.execute(select(VirtualPhone.number, VirtualPhone.config)).all())
    names = [number]
    if number.startswith("client:"):
        names.append(number[7:])  # a <Client> phone may be registered by bare identity
    for name in names:
        for key in (phone_key(account_sid, name), phone_key(None, name)):
            if key in table:
                return dict(table[key])
    return {"number": number, "outcome": "answer"}


# -- legs ------------------------------------------------------------------------------------
def new_call(eng: Engine, account_sid: str, to: str, from_: str, direction: str, purpose: str,
             parent_call_sid: str | None = None, **options: Any) -> Call:
    now = eng.now()
    call = Call(
        sid=eng.sids.new("CA"), account_sid=account_sid, parent_call_sid=parent_call_sid,
        to=to, from_=from_, status="queued", direction=direction,
        date_created=now, date_updated=now, callback_seq=-1,
        options={"purpose": purpose, **options},
    )
    eng.db.add(call)
    return call


def set_status(eng: Engine, call: Call, status: str) -> None:
    call.status = status
    call.date_updated = eng.now()


def send_progress(eng: Engine, call: Call, event: str) -> None:
    """A call-progress callback if the leg subscribed to ``event`` (default: completed)."""
    opts = call.options or {}
    url = opts.get("status_callback")
    events = opts.get("status_callback_events") or ["completed"]
    if not url or event not in events:
        return
    call.callback_seq += 1
    params = callbacks.call_progress_params(call, event, eng.now(), call.callback_seq)
    eng.emit_request(
        OutboundRequest(url=url, method=opts.get("status_callback_method", "POST"),
                        params=params, kind="call-status"),
        account_sid=call.account_sid, call_sid=call.sid,
    )


def dial(eng: Engine, call: Call) -> None:
    """Place the outbound leg to its virtual phone; consequences run on the virtual clock."""
    phone = get_phone(eng, call.account_sid, call.to)
    cfg = eng.config
    timeout = float((call.options or {}).get("timeout", 60)) + cfg.ring_timeout_buffer
    answer_after = phone.get("answer_after")
    if answer_after is None:
        answer_after = cfg.default_answer_after
    outcome = phone.get("outcome", "answer")
    if outcome == "answer" and answer_after > timeout:
        outcome = "no-answer"
    sid = call.sid
    # Stored actions (engine.actions): they survive a restart of serve.
    schedule(eng, 0, "call.initiated", f"initiated {sid}", sid=sid, outcome=outcome,
             timeout=timeout, answer_after=answer_after, phone=phone)


def _initiated(eng, sid, outcome, timeout, answer_after, phone):
    c = eng.db.get(Call, sid)
    if c.status != "queued":
        return
    c.start_time = eng.now()
    c.date_updated = eng.now()
    eng.purpose_of(c).on_progress(eng, c, "initiated")
    send_progress(eng, c, "initiated")
    if outcome == "failed":
        finish(eng, c, "failed")
        return
    schedule(eng, eng.config.ring_delay, "call.ringing", f"ringing {sid}", sid=sid,
             outcome=outcome, timeout=timeout, answer_after=answer_after, phone=phone)


def _ringing(eng, sid, outcome, timeout, answer_after, phone):
    c = eng.db.get(Call, sid)
    if c.status != "queued":
        return
    if outcome == "busy":
        finish(eng, c, "busy")
        return
    set_status(eng, c, "ringing")
    eng.purpose_of(c).on_progress(eng, c, "ringing")
    send_progress(eng, c, "ringing")
    if outcome == "no-answer":
        c.options = {**c.options, "_ring_timer": True}
        schedule(eng, timeout, "call.no-answer", f"no-answer {sid}", sid=sid)
    else:
        schedule(eng, answer_after, "call.answer", f"answer {sid}", sid=sid, phone=phone)


def _no_answer(eng: Engine, sid: str) -> None:
    c = eng.db.get(Call, sid)
    assert c is not None  # calls are never removed while their actions are pending
    if c.status == "ringing":
        finish(eng, c, "no-answer")


def answer(eng: Engine, sid: str, phone: dict[str, Any]) -> None:
    c = eng.db.get(Call, sid)
    assert c is not None
    if c.status != "ringing":
        return
    now = eng.now()
    c.answered_at = now
    set_status(eng, c, "in-progress")
    eng.media_event("call-answered", call_sid=sid, voice=voice_ref(phone))
    recording.on_call_answered(eng, c)
    send_progress(eng, c, "answered")
    schedule_phone_script(eng, sid, phone)

    def proceed():  # the leg's purpose: its TwiML or its join (after AMD when asked for)
        leg = eng.db.get(Call, sid)
        assert leg is not None  # answered just now
        eng.purpose_of(leg).on_answer(eng, leg)

    amd.on_answer(eng, c, phone, proceed)


def check_speech(speech: object) -> None:
    if speech is None:
        return
    if not isinstance(speech, list) or not all(
            isinstance(d, dict) and isinstance(d.get("text"), str)
            and isinstance(d.get("at", 0), (int, float)) for d in speech):
        raise BadRequest('speech must be a list of {"at": seconds, "text": "what is said"}')


def voice_ref(phone: dict[str, Any]) -> dict[str, Any] | None:
    audio = phone.get("audio")
    if not audio:
        return None
    if isinstance(audio, dict):
        return audio
    return {"kind": "file", "path": audio, "loop": bool(phone.get("loop", False)),
            "offset": float(phone.get("offset", 0.0))}


def schedule_phone_script(eng: Engine, sid: str, phone: dict[str, Any]) -> None:
    """The virtual party's own script: key presses and hang-up, relative to the answer."""
    for step in phone.get("digits") or []:
        schedule(eng, float(step.get("at", 0)), "call.digits", f"digits {sid}", sid=sid,
                 digits=str(step.get("digits", "")))
    schedule_speech(eng, sid, phone.get("speech"))
    if phone.get("hangup_after") is not None:
        schedule(eng, float(phone["hangup_after"]), "call.hangup", f"hangup {sid}", sid=sid,
                 by="caller")


def schedule_speech(eng: Engine, sid: str, script: list[dict[str, Any]] | None) -> None:
    """``[{"at": s, "text": "..."}]``: the party starts saying ``text`` at ``s``."""
    for step in script or []:
        text = str(step.get("text", ""))
        schedule(eng, float(step.get("at", 0)), "call.speech", f"speech {sid}", sid=sid,
                 text=text)


def say_speech(eng: Engine, sid: str, text: str) -> None:
    c = eng.db.get(Call, sid)
    if c is None or c.status != "in-progress":
        return
    eng.purpose_of(c).on_speech(eng, c, text)


def press_digits(eng: Engine, sid: str, digits: str) -> None:
    c = eng.db.get(Call, sid)
    if c is None or c.status != "in-progress":
        return
    eng.purpose_of(c).on_digits(eng, c, digits)


def hangup(eng: Engine, sid: str, by: str = "caller") -> None:
    """The far end (``caller``) or the API (``api``) ends the call."""
    c = eng.db.get(Call, sid)
    if c is None or c.status in TERMINAL_CALL_STATUSES:
        return
    if c.status == "in-progress":
        eng.purpose_of(c).on_hangup(eng, c, by)
        finish(eng, c, "completed")
    else:
        finish(eng, c, "canceled")


def finish(eng: Engine, call: Call, status: str) -> None:
    """Move a leg to a terminal status, tell its owner, send the completed callback."""
    if call.status in TERMINAL_CALL_STATUSES:
        return
    now = eng.now()
    was_answered = call.answered_at is not None
    set_status(eng, call, status)
    if status == "completed":
        call.end_time = now
    if was_answered:
        eng.media_event("call-ended", call_sid=call.sid)
        recording.on_call_ended(eng, call)
    if status != "completed" or not was_answered:
        eng.purpose_of(call).on_failed(eng, call)
    # Even a leg canceled while still queued reports it: every callback asked for is sent.
    send_progress(eng, call, "completed")


def caller_id(p: Mapping[str, Any]) -> str:
    """``CallerId`` is what the called party sees as From, when given (README Assumptions)."""
    return p.get("caller_id") or p["from_"]


def recording_options(p: dict[str, Any]) -> dict[str, Any]:
    """Record=true settings of Create Call / Create Participant, kept on the leg."""
    return {
        "recording_status_callback": p.get("recording_status_callback"),
        "recording_status_callback_method": p.get("recording_status_callback_method") or "POST",
        "recording_status_callback_events": p.get("recording_status_callback_event")
        or ["completed"],
        "recording_channels": p.get("recording_channels") or "mono",
        "trim": p.get("trim") or "trim-silence",
        "recording_track": p.get("recording_track") or "both",
    }
