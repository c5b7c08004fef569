"""Status-callback payloads with exactly Twilio's parameter names and values.

Builders return ordered lists of ``(name, value)`` pairs; booleans are the strings
``true``/``false`` as Twilio sends them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..timefmt import rfc2822

if TYPE_CHECKING:  # annotations only
    from ..store.models import Call, Conference, Participant

API_VERSION = "2010-04-01"

# ConferenceStatusCallbackEvent token -> the StatusCallbackEvent values it subscribes to.
CONFERENCE_EVENT_TOKEN = {
    "conference-start": "start",
    "conference-end": "end",
    "participant-join": "join",
    "participant-leave": "leave",
    "participant-mute": "mute",
    "participant-unmute": "mute",
    "participant-hold": "hold",
    "participant-unhold": "hold",
    "participant-modify": "modify",
    "participant-speech-start": "speaker",
    "participant-speech-stop": "speaker",
    "announcement-end": "announcement",
    "announcement-fail": "announcement",
}
CONFERENCE_EVENT_TOKENS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker",
                           "announcement")
CALL_PROGRESS_EVENTS = ("initiated", "ringing", "answered", "completed")
TERMINAL_CALL_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")
SIP_RESPONSE = {"completed": "200", "busy": "486", "no-answer": "487", "canceled": "487",
                "failed": "404"}


def tf(value: Any) -> str:
    return "true" if value else "false"


def voice_params(call: Call, status: str | None = None) -> list[tuple[str, str]]:
    """The parameters Twilio always sends about a call (TwiML requests and call callbacks)."""
    p = [
        ("AccountSid", call.account_sid),
        ("ApiVersion", API_VERSION),
        ("CallSid", call.sid),
        ("CallStatus", status or call.status),
        ("Called", call.to),
        ("Caller", call.from_),
        ("Direction", call.direction),
        ("From", call.from_),
        ("To", call.to),
    ]
    if call.parent_call_sid:
        p.append(("ParentCallSid", call.parent_call_sid))
    if call.forwarded_from:
        p.append(("ForwardedFrom", call.forwarded_from))
    if call.caller_name:
        p.append(("CallerName", call.caller_name))
    if call.answered_by:
        p.append(("AnsweredBy", call.answered_by))
    return p


def call_duration(call: Call, now: float) -> int:
    if call.answered_at is None:
        return 0
    end = call.end_time if call.end_time is not None else now
    return int(round(end - call.answered_at))


def call_progress_params(call: Call, event: str, now: float, seq: int) -> list[tuple[str, str]]:
    """A call-progress callback: ``answered`` reports CallStatus=in-progress."""
    status = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}.get(
        event, call.status
    )
    p = voice_params(call, status)
    p += [
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", str(seq)),
        ("Timestamp", rfc2822(now)),
    ]
    if event == "completed":
        secs = call_duration(call, now)
        p += [
            ("CallDuration", str(secs)),
            ("Duration", str(math.ceil(secs / 60) if secs else 0)),
            ("SipResponseCode", SIP_RESPONSE.get(call.status, "200")),
        ]
    return p


def participant_params(participant: Participant) -> list[tuple[str, str]]:
    p = [
        ("CallSid", participant.call_sid),
        ("Coaching", tf(participant.coaching)),
        ("EndConferenceOnExit", tf(participant.end_conference_on_exit)),
        ("Hold", tf(participant.hold)),
        ("Muted", tf(participant.muted)),
        ("StartConferenceOnEnter", tf(participant.start_conference_on_enter)),
    ]
    if participant.coaching and participant.call_sid_to_coach:
        p.append(("CallSidToCoach", participant.call_sid_to_coach))
    if participant.label:
        p.append(("ParticipantLabel", participant.label))
    return p


def status_after_leaving(participant: Participant) -> str:
    """``ParticipantCallStatus`` of a participant taken out while its call is up: a TwiML leg
    goes on after <Dial> (in-progress); an API leg is hung up (completed)."""
    return ("in-progress" if (participant.options or {}).get("origin") == "twiml"
            else "completed")


def conference_event_params(conference: Conference, event: str, now: float, seq: int,
                            participant: Participant | None = None,
                            extra: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    p = [
        ("AccountSid", conference.account_sid),
        ("ConferenceSid", conference.sid),
        ("FriendlyName", conference.friendly_name),
        ("SequenceNumber", str(seq)),
        ("StatusCallbackEvent", event),
        ("Timestamp", rfc2822(now)),
    ]
    if participant is not None:
        p += participant_params(participant)
    p += list(extra)
    return p
