"""Representations: marshmallow schemas that render state exactly in Twilio's JSON shape.

Every field of each OpenAPI schema is present (null where Twilio gives null); dates are RFC 2822
with ``+0000``; ``uri`` and ``subresource_uris`` are relative to the API host.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, fields

from ..timefmt import rfc2822

if TYPE_CHECKING:  # annotations only
    from ..store.models import Call, Conference, IncomingPhoneNumber, Participant, Recording

API_VERSION = "2010-04-01"
ROOT = "/2010-04-01/Accounts"


class Date(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return rfc2822(value)


def conference_uri(c: Conference) -> str:
    return f"{ROOT}/{c.account_sid}/Conferences/{c.sid}"


class ConferenceSchema(Schema):
    account_sid = fields.String()
    date_created = Date()
    date_updated = Date()
    api_version = fields.Constant(API_VERSION)
    friendly_name = fields.String()
    region = fields.String()
    sid = fields.String()
    status = fields.String()
    uri = fields.Function(lambda c: conference_uri(c) + ".json")
    subresource_uris = fields.Function(lambda c: {
        "participants": conference_uri(c) + "/Participants.json",
        "recordings": conference_uri(c) + "/Recordings.json",
    })
    reason_conference_ended = fields.String(allow_none=True)
    call_sid_ending_conference = fields.String(allow_none=True)


def _flag(value: Any) -> bool | None:
    return value if value is None or value is True or value is False else bool(value)


_PARTICIPANT_COLUMNS = frozenset((
    "account_sid", "call_sid", "label", "call_sid_to_coach", "coaching", "conference_sid",
    "date_created", "date_updated", "end_conference_on_exit", "muted", "hold",
    "start_conference_on_enter", "status"))


def participant(p: Participant) -> dict[str, Any]:
    """A Participant in Twilio's JSON shape. A plain dict writer, not a schema: fetch, update
    and list render it on every request (100 per page), where marshmallow's per-field
    dispatch was most of the rendering time. The row's loaded values are read from its
    ``__dict__`` (a fifth of the cost of the ORM's attribute descriptors); an attribute
    not loaded (expired by a rollback) is loaded first, through the descriptor."""
    d = p.__dict__
    if not _PARTICIPANT_COLUMNS <= d.keys():
        for key in _PARTICIPANT_COLUMNS:
            getattr(p, key)
    account_sid, conference_sid, call_sid = d["account_sid"], d["conference_sid"], d["call_sid"]
    return {
        "account_sid": account_sid,
        "call_sid": call_sid,
        "label": d["label"],
        "call_sid_to_coach": d["call_sid_to_coach"],
        "coaching": _flag(d["coaching"]),
        "conference_sid": conference_sid,
        "date_created": rfc2822(d["date_created"]),
        "date_updated": rfc2822(d["date_updated"]),
        "end_conference_on_exit": _flag(d["end_conference_on_exit"]),
        "muted": _flag(d["muted"]),
        "hold": _flag(d["hold"]),
        "start_conference_on_enter": _flag(d["start_conference_on_enter"]),
        "status": d["status"],
        # Only the create response carries it; the create view fills it in.
        "queue_time": None,
        "uri": f"{ROOT}/{account_sid}/Conferences/{conference_sid}/Participants/"
               f"{call_sid}.json",
    }


def format_number(number: str | None) -> str | None:
    """``(415) 867-5308`` for NANP numbers, as Twilio's ``*_formatted`` fields show them."""
    m = re.match(r"^\+1(\d{3})(\d{3})(\d{4})$", number or "")
    return f"({m[1]}) {m[2]}-{m[3]}" if m else number


CALL_SUBRESOURCES = {
    "notifications": "Notifications", "recordings": "Recordings", "payments": "Payments",
    "events": "Events", "siprec": "Siprec", "streams": "Streams",
    "transcriptions": "Transcriptions",
    "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
    "user_defined_messages": "UserDefinedMessages", "feedback": "Feedback",
}


def call_uri(c: Call) -> str:
    return f"{ROOT}/{c.account_sid}/Calls/{c.sid}"


def _call_subresources(c):
    subs = {k: f"{call_uri(c)}/{v}.json" for k, v in CALL_SUBRESOURCES.items()}
    subs["feedback_summaries"] = f"{ROOT}/{c.account_sid}/Calls/FeedbackSummary.json"
    return subs


def _duration(c):
    if c.status != "completed" or c.answered_at is None or c.end_time is None:
        return None
    return str(int(round(c.end_time - c.answered_at)))


class CallSchema(Schema):
    sid = fields.String()
    date_created = Date()
    date_updated = Date()
    parent_call_sid = fields.String(allow_none=True)
    account_sid = fields.String()
    to = fields.String()
    to_formatted = fields.Function(lambda c: format_number(c.to))
    from_ = fields.String(attribute="from_", data_key="from")
    from_formatted = fields.Function(lambda c: format_number(c.from_))
    phone_number_sid = fields.String(allow_none=True)
    status = fields.String()
    start_time = Date()
    end_time = Date()
    duration = fields.Function(_duration)
    price = fields.Constant(None)
    price_unit = fields.Constant("USD")
    direction = fields.String()
    answered_by = fields.String(allow_none=True)
    annotation = fields.Constant(None)
    api_version = fields.Constant(API_VERSION)
    forwarded_from = fields.String(allow_none=True)
    group_sid = fields.Constant(None)
    caller_name = fields.String(allow_none=True)
    queue_time = fields.Constant("0")
    trunk_sid = fields.Constant(None)
    uri = fields.Function(lambda c: call_uri(c) + ".json")
    subresource_uris = fields.Function(_call_subresources)


# IncomingPhoneNumber: every field, with the defaults Twilio shows for a fresh number.
NUMBER_DEFAULTS = {
    "address_sid": None, "address_requirements": "none", "beta": False,
    "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
    "friendly_name": None, "identity_sid": None, "origin": "twilio",
    # Twilio's example shows "" for the two application SIDs, but that fails the schema's
    # ^AP…$ pattern; null is what the schema allows (README "Assumptions").
    "sms_application_sid": None, "sms_fallback_method": "POST", "sms_fallback_url": "",
    "sms_method": "POST", "sms_url": "", "status_callback": "", "status_callback_method": "POST",
    "trunk_sid": None, "voice_receive_mode": "voice", "voice_application_sid": None,
    "voice_caller_id_lookup": False, "voice_fallback_method": "POST", "voice_fallback_url": None,
    "voice_method": "POST", "voice_url": None, "emergency_status": "Inactive",
    "emergency_address_sid": None, "emergency_address_status": "unregistered",
    "bundle_sid": None, "status": "in-use", "type": "local",
}


def render_incoming_number(n: IncomingPhoneNumber) -> dict[str, Any]:
    f = {**NUMBER_DEFAULTS, **(n.fields or {})}
    out = {
        "account_sid": n.account_sid,
        "api_version": API_VERSION,
        "date_created": rfc2822(n.date_created),
        "date_updated": rfc2822(n.date_updated),
        "phone_number": n.phone_number,
        "sid": n.sid,
        "uri": f"{ROOT}/{n.account_sid}/IncomingPhoneNumbers/{n.sid}.json",
        "subresource_uris": {
            "assigned_add_ons":
                f"{ROOT}/{n.account_sid}/IncomingPhoneNumbers/{n.sid}/AssignedAddOns.json",
        },
    }
    out.update(f)
    if out["friendly_name"] is None:
        out["friendly_name"] = format_number(n.phone_number)
    return out


def recording_uri(r: Recording, conference_level: bool) -> str:
    if conference_level:
        return f"{ROOT}/{r.account_sid}/Conferences/{r.conference_sid}/Recordings/{r.sid}.json"
    return f"{ROOT}/{r.account_sid}/Recordings/{r.sid}.json"


class ConferenceRecordingSchema(Schema):
    account_sid = fields.String()
    api_version = fields.Constant(API_VERSION)
    call_sid = fields.String(allow_none=True)
    conference_sid = fields.String(allow_none=True)
    date_created = Date()
    date_updated = Date()
    start_time = Date()
    duration = fields.Function(lambda r: None if r.duration is None else str(r.duration))
    sid = fields.String()
    price = fields.Constant(None)
    price_unit = fields.Constant("USD")
    status = fields.String()
    channels = fields.Integer()
    source = fields.String()
    error_code = fields.Integer(allow_none=True)
    encryption_details = fields.Constant(None)
    uri = fields.Function(lambda r: recording_uri(r, True))


class RecordingSchema(ConferenceRecordingSchema):
    uri = fields.Function(lambda r: recording_uri(r, False))
    media_url = fields.Function(
        lambda r: f"http://api.twilio.com{ROOT}/{r.account_sid}/Recordings/{r.sid}")
    subresource_uris = fields.Function(lambda r: {
        "add_on_results": f"{ROOT}/{r.account_sid}/Recordings/{r.sid}/AddOnResults.json",
        "transcriptions": f"{ROOT}/{r.account_sid}/Recordings/{r.sid}/Transcriptions.json",
    })


conference = ConferenceSchema()
call = CallSchema()
conference_recording = ConferenceRecordingSchema()
recording = RecordingSchema()
