"""<Dial><Number>: a child leg to a virtual phone, bridged to the caller when it answers (its audio
mixed as a two-party room), with the <Dial> action when either side ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...media import timeline as tl
from ...store.models import Call
from .. import callbacks, dial_record
from .. import calls as call_legs
from ..actions import stored
from ..core import LegPurpose
from . import gather, gather_speech, number_url
from .dial_action import dial_done, dial_state
from .state import opt, set_opts

if TYPE_CHECKING:  # annotations only
    from .. import twiml
    from ..core import Engine


def run(eng: Engine, call: Call, dial: twiml.Dial, noun: twiml.Number, gen: int, i: int) -> bool:
    """Dial ``noun``'s number on a child leg; the <Dial> runs until either side ends."""
    child = call_legs.new_call(
        eng, call.account_sid, to=noun.number, from_=dial.caller_id or call.from_,
        direction="outbound-dial", purpose="dial-child", parent_call_sid=call.sid,
        timeout=dial.timeout, status_callback=noun.status_callback,
        status_callback_method=noun.status_callback_method,
        status_callback_events=list(noun.status_callback_event),
    )
    state = dial_state(dial, "number", gen, i, child=child.sid,
                       record=dial_record.settings(dial), number_url=noun.url,
                       number_method=noun.method)
    set_opts(call, _dial={**state,
                          "recording_sid": dial_record.start(eng, call, state, "ringing")})
    call_legs.dial(eng, child)
    return True


def bridge_room(parent_sid: str) -> str:
    """The two-party room a <Dial><Number> bridge is mixed in (a media timeline id only)."""
    return "BR" + parent_sid[2:]


def _bridge_audio(eng: Engine, parent: Call, child: Call) -> None:
    """Both legs hear each other from now on: the mixer treats a bridge as a started
    two-party room, so mix-minus, recordings of either call and call audio just work."""
    room = bridge_room(parent.sid)
    for leg in (parent, child):
        eng.media_event(tl.CONF_ENTER, call_sid=leg.sid, conference_sid=room, muted=False,
                        jitter="off", wait_audio=None)
    eng.media_event(tl.CONF_START, conference_sid=room)


def _end_bridge_audio(eng: Engine, parent_sid: str, d: dict[str, Any] | None) -> None:
    if d and d.get("bridged"):
        eng.media_event(tl.CONF_END, conference_sid=bridge_room(parent_sid))


def _number_done(eng: Engine, child: Call, status: str) -> None:
    parent = eng.db.get(Call, child.parent_call_sid) if child.parent_call_sid else None
    if parent is None:
        return
    d = opt(parent, "_dial")
    if not d or d.get("kind") != "number" or d.get("child") != child.sid:
        return
    _end_bridge_audio(eng, parent.sid, d)
    dial_record.stop(eng, d)
    set_opts(parent, _dial=None)
    if parent.status != "in-progress" or int(opt(parent, "_gen", 0)) != d["gen"]:
        return
    # Bridged, not merely answered: a whisper that refused the call never bridged it.
    extra = [("DialCallSid", child.sid), ("DialBridged", "true" if d.get("bridged") else "false")]
    if status == "completed":
        extra.append(("DialCallDuration", str(callbacks.call_duration(child, eng.now()))))
    dial_done(eng, parent, d, status, extra)


def hang_up_child(eng: Engine, call: Call) -> None:
    """The parent stops dialling (hung up, redirected): the dialled leg goes too, quietly."""
    d = opt(call, "_dial")
    if d and d.get("kind") == "number":
        _end_bridge_audio(eng, call.sid, d)
        dial_record.stop(eng, d)
        set_opts(call, _dial=None)
        call_legs.hangup(eng, d["child"], by="api")


class DialChild(LegPurpose):
    """The leg a <Dial><Number> places."""

    def on_answer(self, eng: Engine, child: Call) -> None:
        parent = eng.db.get(Call, child.parent_call_sid)
        d = opt(parent, "_dial") if parent is not None else None
        if parent is None or not d or d.get("child") != child.sid or parent.status != "in-progress":
            call_legs.hangup(eng, child.sid, by="api")
            return
        if not number_url.start(eng, child, d):
            self._bridge(eng, parent, child, d)

    def on_document_end(self, eng: Engine, child: Call) -> bool:
        """The whisper ran out: bridge now (if the caller is still dialling this leg)."""
        if not number_url.whispering(child):
            return False
        number_url.finish(eng, child)
        parent = eng.db.get(Call, child.parent_call_sid)
        d = opt(parent, "_dial") if parent is not None else None
        if parent is None or not d or d.get("child") != child.sid or parent.status != "in-progress":
            call_legs.hangup(eng, child.sid, by="api")
            return True
        self._bridge(eng, parent, child, d)
        return True

    def on_digits(self, eng: Engine, child: Call, digits: str) -> None:
        if number_url.whispering(child):
            gather.on_digits(eng, child, digits)

    def on_speech(self, eng: Engine, child: Call, text: str) -> None:
        if number_url.whispering(child):
            gather_speech.on_speech(eng, child, text)

    def _bridge(self, eng: Engine, parent: Call, child: Call, d: dict[str, Any]) -> None:
        eng.media_event(tl.CALL_STOP_PLAY, call_sid=parent.sid)
        _bridge_audio(eng, parent, child)
        set_opts(parent, _dial={**d, "bridged": True,
                                "recording_sid": (d.get("recording_sid")
                                                  or dial_record.start(eng, parent, d, "answer"))})
        sid, psid = child.sid, parent.sid
        eng.after(float(d.get("time_limit") or 14400),
                  stored(eng, "dial.time-limit", parent_sid=psid, child_sid=sid),
                  f"Dial timeLimit {psid}")

    def on_failed(self, eng: Engine, child: Call) -> None:
        _number_done(eng, child, child.status if child.status != "completed" else "no-answer")

    def on_hangup(self, eng: Engine, child: Call, by: str) -> None:
        if number_url.whispering(child):
            number_url.finish(eng, child)
        _number_done(eng, child, "completed")


def _number_time_limit(eng: Engine, parent_sid: str, child_sid: str) -> None:
    parent = eng.db.get(Call, parent_sid)
    d = opt(parent, "_dial") if parent is not None else None
    if d and d.get("child") == child_sid:
        call_legs.hangup(eng, child_sid, by="api")
