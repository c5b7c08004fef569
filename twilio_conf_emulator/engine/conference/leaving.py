"""Leaving a conference and ending it (the end rules), kicks, and what a leg does once its
participant has left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...store.models import Call
from .. import calls as call_legs
from .. import recording, speech_events
from ..callbacks import status_after_leaving
from .events import send_event
from .lookups import ACTIVE, active_participants, touch

if TYPE_CHECKING:  # annotations only
    from ...store.models import Conference, Participant
    from ..core import Engine

REASON_TEXT = {
    "conference-ended-via-api": "Conference ended via API",
    "participant-with-end-conference-on-exit-left":
        "Participant {call} with endConferenceOnExit left the conference",
    "participant-with-end-conference-on-exit-kicked":
        "Participant {call} with endConferenceOnExit was kicked from the conference",
    "last-participant-left": "Last participant {call} left the conference",
    "last-participant-kicked": "Last participant {call} was kicked from the conference",
}


def leave(eng: Engine, part: Participant, reason: str, call_status: str = "completed",
          kicked: bool = False) -> None:
    """Take ``part`` out of its conference and apply the end rules."""
    conf = part.conference
    if not part.active:
        return
    was_connected = part.status == "connected"
    speech_events.on_silenced(eng, conf, part)
    part.active = False
    part.status = "complete" if was_connected else "failed"
    part.left_at = eng.now()
    touch(eng, part, conf)
    if was_connected:
        eng.media_event("conf-leave", call_sid=part.call_sid, conference_sid=conf.sid)
    send_event(eng, conf, "participant-leave", part, extra=(
        ("ParticipantCallStatus", call_status),
        ("ReasonParticipantLeft", reason),
    ))
    opts = part.options or {}
    if was_connected and conf.status == "in-progress" and (
        opts.get("beep_on_exit") or (opts.get("beep_on_exit") is None
                                     and opts.get("beep") in ("true", "onExit"))
    ):
        eng.media_event("beep", conference_sid=conf.sid, kind="exit")
    if conf.status not in ACTIVE:
        return
    if was_connected and part.end_conference_on_exit:
        end(eng, conf,
            "participant-with-end-conference-on-exit-kicked" if kicked
            else "participant-with-end-conference-on-exit-left",
            part.call_sid, part.label)
    elif not any(p.active for p in conf.participants):  # stops at the first one still in
        end(eng, conf, "last-participant-kicked" if kicked else "last-participant-left",
            part.call_sid, part.label)


def end(eng: Engine, conf: Conference, reason: str, ending_call_sid: str | None = None,
        ending_label: str | None = None) -> None:
    """End ``conf``: everyone still in leaves, then conference-end."""
    if conf.status not in ACTIVE:
        return
    conf.status = "completed"
    conf.ended_at = eng.now()
    conf.reason_conference_ended = reason
    conf.call_sid_ending_conference = ending_call_sid
    touch(eng, conf)
    left_reason = ("conference_ended_via_api" if reason == "conference-ended-via-api"
                   else "moderator_ended_conference")
    for part in active_participants(conf):
        if part.status == "connected":
            speech_events.on_silenced(eng, conf, part)
            part.active = False
            part.status = "complete"
            part.left_at = eng.now()
            touch(eng, part)
            eng.media_event("conf-leave", call_sid=part.call_sid, conference_sid=conf.sid)
            send_event(eng, conf, "participant-leave", part, extra=(
                ("ParticipantCallStatus", status_after_leaving(part)),
                ("ReasonParticipantLeft", left_reason),
            ))
            release_call(eng, part, "conference-ended")
        else:
            # Still being dialled: the leg is canceled, the participant never joined.
            part.active = False
            part.status = "failed"
            touch(eng, part)
            call_legs.hangup(eng, part.call_sid, by="api")
    extra = []
    if ending_call_sid:
        extra.append(("CallSidEndingConference", ending_call_sid))
    if ending_label:
        extra.append(("ParticipantLabelEndingConference", ending_label))
    extra.append(("ReasonConferenceEnded", reason))
    if eng.config.send_reason_text:
        extra.append(("Reason", REASON_TEXT[reason].format(call=ending_call_sid or "")))
    send_event(eng, conf, "conference-end", extra=extra)
    eng.media_event("conf-end", conference_sid=conf.sid)
    recording.on_conference_end(eng, conf)


def release_call(eng: Engine, part: Participant, why: str) -> None:
    """After a participant leaves: its leg's purpose decides (an API leg hangs up; a TwiML leg
    goes on after its <Dial>)."""
    call = eng.db.get(Call, part.call_sid)
    if call is None:
        return
    eng.purpose_of(call).on_conference_left(eng, call, why)


def leave_by_dial_end(eng: Engine, part: Participant, why: str) -> None:
    """hangupOnStar, timeLimit: the participant leaves, its call goes on (TwiML) or ends."""
    leave(eng, part, "participant_hung_up" if why == "star" else "participant_updated_via_api",
          call_status=status_after_leaving(part))
    release_call(eng, part, why)


def kick(eng: Engine, part: Participant) -> None:
    """DELETE .../Participants/{CallSid}: remove the participant now."""
    if part.status != "connected":
        call_legs.hangup(eng, part.call_sid, by="api")
        return
    leave(eng, part, "participant_updated_via_api", call_status=status_after_leaving(part),
          kicked=True)
    release_call(eng, part, "kicked")


def press_digits(eng: Engine, part: Participant, digits: str) -> None:
    """Keys from a participant's phone: ``*`` leaves the conference when hangupOnStar is set."""
    if "*" in digits and (part.options or {}).get("hangup_on_star"):
        leave_by_dial_end(eng, part, "star")
