"""What every <Dial> shares: its state on the leg, and its end (the action URL, or the next verb)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...store.models import Call
from ...webhooks.transport import OutboundRequest
from .. import callbacks
from .runner import fetch, step

if TYPE_CHECKING:  # annotations only
    from .. import twiml
    from ..core import Engine


def dial_state(dial: twiml.Dial, kind: str, gen: int, i: int, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "gen": gen, "i": i, "action": dial.action, "method": dial.method,
            "hangup_on_star": dial.hangup_on_star, "time_limit": dial.time_limit, **more}


def dial_failed(eng: Engine, call: Call, dial: twiml.Dial, gen: int, i: int, dial_status: str) -> bool:
    """The <Dial> could not start: its action gets ``dial_status``, else the next verb runs."""
    if dial.action:
        fetch(eng, call, dial.action, dial.method, "action",
              (("DialCallStatus", dial_status), ("DialBridged", "false")))
        return True
    return False


def dial_done(eng: Engine, call: Call, d: dict[str, Any], dial_status: str,
              extra: Iterable[tuple[str, Any]]) -> None:
    if d.get("action"):
        fetch(eng, call, d["action"], d.get("method") or "POST", "action",
              (("DialCallStatus", dial_status),) + tuple(extra))
    else:
        step(eng, call.sid, d["gen"], d["i"] + 1)


def action_after_hangup(eng: Engine, call: Call, d: dict[str, Any] | None) -> None:
    """The caller hung up during a <Dial action>: Twilio still requests the action, with
    CallStatus=completed, and runs nothing it answers (the call is over)."""
    if not d or not d.get("action"):
        return
    if d.get("kind") == "conference":
        extra = [("DialCallStatus", eng.config.dial_call_status_after_conference),
                 ("DialBridged", "true")]
    else:
        child = eng.db.get(Call, d["child"]) if d.get("child") else None
        answered = child is not None and child.answered_at is not None
        extra = [("DialCallStatus", "completed" if answered else "canceled"),
                 ("DialBridged", "true" if answered else "false")]
        if child is not None:
            extra.append(("DialCallSid", child.sid))
            if answered:
                extra.append(("DialCallDuration", str(callbacks.call_duration(child, eng.now()))))
    params = callbacks.voice_params(call, "completed") + extra
    eng.emit_request(OutboundRequest(url=d["action"], method=d.get("method") or "POST",
                                     params=params, kind="action"),
                     call.account_sid, call_sid=call.sid)
