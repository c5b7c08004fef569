"""Creating a participant (POST .../Participants.json): its parameters and the create
itself, shared by the Flask view (api/participants.py) and the requests served without Flask
(api/hot.py), which every test that dials a participant in sends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.conference import joining
from . import render
from .params import AMD, TBool, TChoice, TEndpoint, TInt, TList, TMethod, TSid, TString, TUrl, field, schema_class

if TYPE_CHECKING:  # annotations only
    from collections.abc import Mapping

    from werkzeug.datastructures import MultiDict

    from ..engine.core import Engine
    from ..store.models import Account
    from .ignored import Usage

CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
CONFERENCE_EVENTS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker",
                     "announcement")
RECORDING_EVENTS = ("started", "in-progress", "paused", "resumed", "stopped", "completed",
                    "failed", "absent")
REGIONS = ("us1", "us2", "ie1", "de1", "sg1", "br1", "au1", "jp1")

CreateParams = schema_class("CreateParticipantParams", {
    "from_": field(TEndpoint, "From", code=21212, required=True, required_code=21213,
                   required_message="A 'From' phone number is required."),
    "to": field(TEndpoint, "To", code=21211, required=True, required_code=21201,
                required_message="A 'To' phone number is required."),
    "status_callback": field(TUrl, "StatusCallback", code=21205),
    "status_callback_method": field(TMethod, "StatusCallbackMethod"),
    "status_callback_event": field(TList, "StatusCallbackEvent", choices=CALL_EVENTS),
    "label": field(TString, "Label", code=16024),
    "timeout": field(TInt, "Timeout", min=5, max=600),
    "record": field(TBool, "Record"),
    "muted": field(TBool, "Muted"),
    "beep": field(TChoice, "Beep", choices=("true", "false", "onEnter", "onExit")),
    "start_conference_on_enter": field(TBool, "StartConferenceOnEnter"),
    "end_conference_on_exit": field(TBool, "EndConferenceOnExit"),
    "wait_url": field(TUrl, "WaitUrl", code=21205, allow_empty=True),
    "wait_method": field(TMethod, "WaitMethod"),
    "early_media": field(TBool, "EarlyMedia",
                ignored="the ringing heard before answer is not emulated"),
    "max_participants": field(TInt, "MaxParticipants", min=2, max=250),
    "conference_record": field(TChoice, "ConferenceRecord",
                               choices=("true", "false", "record-from-start", "do-not-record")),
    "conference_trim": field(TChoice, "ConferenceTrim", choices=("trim-silence", "do-not-trim")),
    "conference_status_callback": field(TUrl, "ConferenceStatusCallback", code=21205),
    "conference_status_callback_method": field(TMethod, "ConferenceStatusCallbackMethod"),
    "conference_status_callback_event": field(TList, "ConferenceStatusCallbackEvent",
                                              choices=CONFERENCE_EVENTS),
    "recording_channels": field(TChoice, "RecordingChannels", choices=("mono", "dual")),
    "recording_status_callback": field(TUrl, "RecordingStatusCallback", code=21205),
    "recording_status_callback_method": field(TMethod, "RecordingStatusCallbackMethod"),
    "recording_status_callback_event": field(TList, "RecordingStatusCallbackEvent",
                                             choices=RECORDING_EVENTS),
    "sip_auth_username": field(TString, "SipAuthUsername",
                ignored="SIP authentication is not emulated"),
    "sip_auth_password": field(TString, "SipAuthPassword",
                ignored="SIP authentication is not emulated"),
    "region": field(TChoice, "Region", choices=REGIONS),
    "conference_recording_status_callback": field(TUrl, "ConferenceRecordingStatusCallback",
                                                  code=21205),
    "conference_recording_status_callback_method": field(
        TMethod, "ConferenceRecordingStatusCallbackMethod"),
    "conference_recording_status_callback_event": field(
        TList, "ConferenceRecordingStatusCallbackEvent",
        choices=("in-progress", "completed", "failed", "absent")),
    "coaching": field(TBool, "Coaching"),
    "call_sid_to_coach": field(TSid, "CallSidToCoach", code=16028, prefix="CA"),
    "jitter_buffer_size": field(TChoice, "JitterBufferSize",
                                choices=("off", "small", "medium", "large")),
    "byoc": field(TSid, "Byoc", prefix="BY",
                ignored="BYOC trunks are not emulated"),
    "caller_id": field(TString, "CallerId"),
    "call_reason": field(TString, "CallReason",
                ignored="branded-call reasons are shown on handsets only; not emulated"),
    "recording_track": field(TChoice, "RecordingTrack", choices=("inbound", "outbound", "both")),
    "time_limit": field(TInt, "TimeLimit", min=1, max=86400),
    **AMD,
    "amd_status_callback": field(TUrl, "AmdStatusCallback", code=21205),
    "amd_status_callback_method": field(TMethod, "AmdStatusCallbackMethod"),
    "trim": field(TChoice, "Trim", choices=("trim-silence", "do-not-trim")),
    "call_token": field(TString, "CallToken",
                ignored="carrier call tokens are not emulated"),
    "client_notification_url": field(TUrl, "ClientNotificationUrl", code=21205,
                ignored="Voice SDK push notifications are not emulated"),
    "caller_display_name": field(TString, "CallerDisplayName", max_length=255,
                ignored="Client caller display names are not emulated"),
})


def conference_settings(p: Mapping[str, Any]) -> dict[str, Any]:
    """The Participant params that configure the conference (used only by the first one)."""
    record = p.get("conference_record")
    return {
        "status_callback": p.get("conference_status_callback"),
        "status_callback_method": p.get("conference_status_callback_method"),
        "status_callback_events": p.get("conference_status_callback_event"),
        "record": {"true": "record-from-start", "false": "do-not-record"}.get(record or "", record),
        "trim": p.get("conference_trim"),
        "recording_status_callback": p.get("conference_recording_status_callback"),
        "recording_status_callback_method": p.get("conference_recording_status_callback_method"),
        "recording_status_callback_events": p.get("conference_recording_status_callback_event"),
        "recording_channels": p.get("recording_channels"),
        "max_participants": p.get("max_participants"),
        "region": p.get("region"),
    }


def create(eng: Engine, account: Account, conference_sid: str, form: MultiDict[str, str],
           path: str, usage: Usage | None = None) -> dict[str, Any]:
    """POST .../Participants.json with ``form``: the new participant's body (answered 201)."""
    p = CreateParams.parse(form, usage)
    p["conference_settings"] = conference_settings(p)
    with eng.transaction():
        part = joining.create_participant(eng, account, conference_sid, p, path)
        body = render.participant(part)
    body["queue_time"] = str(eng.config.participant_queue_time_ms)
    return body
