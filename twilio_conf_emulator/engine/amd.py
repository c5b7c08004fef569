"""Answering machine detection (``MachineDetection`` on Calls and Participants).

Nothing listens to audio here: the virtual phone declares what answers (``answered_by``: human,
machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax or unknown) and
how long its greeting is (``greeting_seconds``). From that and the request's thresholds the
result and its moment follow Twilio's documented rules:

- ``human``: the greeting ends, then ``MachineDetectionSpeechEndThreshold`` of silence.
- a machine with ``Enable``: ``machine_start`` once speech has lasted
  ``MachineDetectionSpeechThreshold``; with ``DetectMessageEnd``: ``machine_end_beep`` at the
  end of the greeting (the beep), ``machine_end_silence`` / ``machine_end_other`` after the
  greeting plus the speech-end threshold.
- ``fax``: after ``config.amd_fax_seconds``; ``unknown``: after ``MachineDetectionSilenceTimeout``.
- Anything later than ``MachineDetectionTimeout`` is ``unknown`` at the timeout.

Synchronous AMD holds the call's TwiML (a participant's join) until the result;
``AsyncAmd=true`` runs the TwiML at once and posts the result to ``AsyncAmdStatusCallback``.
Either way the call carries ``AnsweredBy`` from then on (its webhooks and its resource).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import BadRequest
from ..store.models import Call
from .actions import schedule

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig
    from .core import Engine

ANSWERED_BY = ("human", "machine_start", "machine_end_beep", "machine_end_silence",
               "machine_end_other", "fax", "unknown")
MODES = {"enable": "Enable", "detectmessageend": "DetectMessageEnd"}
# name -> (parameter, default, low, high); timeout in seconds, the rest in milliseconds.
LIMITS = {
    "machine_detection_timeout": ("MachineDetectionTimeout", 30, 3, 59),
    "machine_detection_speech_threshold": ("MachineDetectionSpeechThreshold", 2400, 1000, 6000),
    "machine_detection_speech_end_threshold": ("MachineDetectionSpeechEndThreshold", 1200, 500,
                                               5000),
    "machine_detection_silence_timeout": ("MachineDetectionSilenceTimeout", 5000, 2000, 10000),
}


# -- request side ---------------------------------------------------------------------------
def request_options(p: Mapping[str, Any], callback_key: str, method_key: str, async_key: str | None = None,
                    run_async: bool | None = None) -> dict[str, Any]:
    """The leg options for a create request, or {} when no detection was asked for.
    ``run_async``: the mode when the request has no ``async_key`` (Participants).

    ``SendDigits`` wins over ``MachineDetection``, as the Calls docs say."""
    raw = p.get("machine_detection")
    if not raw or p.get("send_digits"):
        return {}
    mode = MODES.get(str(raw).strip().lower())
    if mode is None:
        raise BadRequest(f"MachineDetection must be Enable or DetectMessageEnd, not {raw!r}",
                         code=21200)
    run_async = bool(p.get(async_key)) if async_key else bool(run_async)
    # Calls: AsyncAmdStatusCallback is only called for AsyncAmd=true (the result of a
    # synchronous detection rides on the Url request); Participants: AmdStatusCallback always.
    callback = p.get(callback_key) if run_async or not async_key else None
    amd = {"mode": mode, "callback": callback, "callback_method": p.get(method_key) or "POST",
           "async": run_async}
    for name, (_, default, _, _) in LIMITS.items():
        amd[name] = p.get(name) if p.get(name) is not None else default
    return {"amd": amd}


def check_phone(config: dict[str, Any]) -> None:
    """Validate a virtual phone's ``answered_by`` / ``greeting_seconds`` (control API)."""
    who = config.get("answered_by")
    if who is not None and who not in ANSWERED_BY:
        raise BadRequest(f"answered_by must be one of {', '.join(ANSWERED_BY)}")
    if config.get("greeting_seconds") is not None:
        try:
            config["greeting_seconds"] = float(config["greeting_seconds"])
        except (TypeError, ValueError):
            raise BadRequest("greeting_seconds must be a number of seconds") from None
        if not 0 <= config["greeting_seconds"] <= 3600:
            raise BadRequest("greeting_seconds must be between 0 and 3600")


# -- detection -------------------------------------------------------------------------------
def detect(amd: Mapping[str, Any], phone: Mapping[str, Any], cfg: EmulatorConfig) -> tuple[str, float]:
    """``(AnsweredBy, seconds after answer)`` for this phone under these settings."""
    who = phone.get("answered_by") or cfg.amd_default_answered_by
    greeting = phone.get("greeting_seconds")
    if greeting is None:
        greeting = (cfg.amd_human_greeting_seconds if who == "human"
                    else cfg.amd_machine_greeting_seconds)
    end_gap = amd["machine_detection_speech_end_threshold"] / 1000.0
    if who == "human":
        result, at = "human", greeting + end_gap
    elif who == "fax":
        result, at = "fax", cfg.amd_fax_seconds
    elif who == "unknown":
        result, at = "unknown", amd["machine_detection_silence_timeout"] / 1000.0
    elif amd["mode"] == "Enable":
        result = "machine_start"
        at = min(greeting, amd["machine_detection_speech_threshold"] / 1000.0)
    elif who == "machine_end_beep":
        result, at = who, greeting
    else:
        result = who if who != "machine_start" else "machine_end_other"
        at = greeting + end_gap
    timeout = float(amd["machine_detection_timeout"])
    if at > timeout:
        return "unknown", timeout
    return result, at


def on_answer(eng: Engine, call: Call, phone: Mapping[str, Any], proceed: Callable[[], object]) -> None:
    """The leg answered: run ``proceed()`` (its TwiML or its join) now or after detection."""
    amd = (call.options or {}).get("amd")
    if not amd:
        proceed()
        return
    result, seconds = detect(amd, phone, eng.config)
    if amd["async"]:
        proceed()
    schedule(eng, seconds, "amd.detected", f"AMD {call.sid}", sid=call.sid, result=result,
             seconds=seconds)


def _detected(eng: Engine, sid: str, result: str, seconds: float) -> None:
    """Stored action: detection ended with ``result``: the AMD callback, then (synchronous
    AMD) the leg's purpose carries on, as it would have at the answer."""
    c = eng.db.get(Call, sid)
    if c is None or c.status != "in-progress":
        return
    c.answered_by = result
    c.options = {**c.options, "amd_duration_ms": int(round(seconds * 1000))}
    c.date_updated = eng.now()
    _send_result(eng, c)
    if not c.options["amd"]["async"]:
        eng.purpose_of(c).on_answer(eng, c)


def _send_result(eng, call):
    amd = call.options["amd"]
    if not amd.get("callback"):
        return
    from ..webhooks.transport import OutboundRequest

    params = [("AccountSid", call.account_sid), ("AnsweredBy", call.answered_by),
              ("CallSid", call.sid),
              ("MachineDetectionDuration", str(call.options["amd_duration_ms"]))]
    eng.emit_request(OutboundRequest(url=amd["callback"], method=amd["callback_method"],
                                     params=params, kind="amd-status"),
                     account_sid=call.account_sid, call_sid=call.sid)
