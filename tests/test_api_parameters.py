"""The every-parameter audit (issue 9): every parameter of every route the app serves (the
vendored served extract) has its documented effect (a test here or elsewhere shows it) or,
when the emulator does not act on it, a 12200 warning alert names it.  Nothing is silently
dropped.

Plus the behaviour tests for parameters no other test covered: CallerId, RecordingTrack on
``Record=true`` legs, the Calls and Participants options, the number settings.
"""

import ast
import base64
import io
import os
import re

import soundfile as sf
from audio_helpers import RATE, ok_app, tone
from flask import Flask
from twilio.twiml.voice_response import VoiceResponse

from twilio_conf_emulator.api import accounts, call_recordings, calls, conferences, numbers, participants, recordings
from twilio_conf_emulator.api.params import PAGING
from twilio_conf_emulator.media.analysis import band_rms

TESTS = os.path.dirname(__file__)
CALLER = "+15550000000"
FIRST, SECOND = "+15553300001", "+15553300002"
A = "/2010-04-01/Accounts/{AccountSid}"

DATE = ("DateCreated", "DateCreated<", "DateCreated>")
# Each route of the extract: the schema its view parses and the filter keys it reads.
ROUTES = {
    ("POST", "/2010-04-01/Accounts/{Sid}.json"): (accounts.UpdateParams, ()),
    ("GET", A + "/Conferences.json"): (
        conferences.ListParams, DATE + ("DateUpdated", "DateUpdated<", "DateUpdated>", "Status")),
    ("POST", A + "/Conferences/{Sid}.json"): (conferences.UpdateParams, ()),
    ("POST", A + "/Conferences/{ConferenceSid}/Participants.json"): (
        participants.CreateParams, ()),
    ("GET", A + "/Conferences/{ConferenceSid}/Participants.json"): (
        participants.ListParams, ("Muted", "Hold", "Coaching")),
    ("POST", A + "/Conferences/{ConferenceSid}/Participants/{CallSid}.json"): (
        participants.UpdateParams, ()),
    ("GET", A + "/Conferences/{ConferenceSid}/Recordings.json"): (
        recordings.ListConferenceParams, DATE),
    ("POST", A + "/Conferences/{ConferenceSid}/Recordings/{Sid}.json"): (
        recordings.UpdateParams, ()),
    ("POST", A + "/Calls.json"): (calls.CreateParams, ()),
    ("GET", A + "/Calls.json"): (calls.ListParams, (
        "Status", "StartTime", "StartTime<", "StartTime>", "EndTime", "EndTime<", "EndTime>")),
    ("POST", A + "/Calls/{Sid}.json"): (calls.UpdateParams, ()),
    ("GET", A + "/Recordings.json"): (recordings.ListParams, DATE),
    ("GET", A + "/Recordings/{Sid}.json"): (None, ("IncludeSoftDeleted",)),
    ("GET", A + "/IncomingPhoneNumbers.json"): (numbers.ListParams, ()),
    ("POST", A + "/IncomingPhoneNumbers.json"): (numbers.CreateParams, ()),
    ("POST", A + "/IncomingPhoneNumbers/{Sid}.json"): (numbers.UpdateParams, ()),
    ("POST", A + "/Calls/{CallSid}/Recordings.json"): (call_recordings.CreateParams, ()),
    ("GET", A + "/Calls/{CallSid}/Recordings.json"): (call_recordings.ListParams, DATE),
    ("POST", A + "/Calls/{CallSid}/Recordings/{Sid}.json"): (call_recordings.UpdateParams, ()),
}

ME = "test_api_parameters.py"
# Parameters the emulator acts on, and a test that shows the effect.
IMPLEMENTED = {
    "AnnounceMethod": "test_engine_controls.py::test_announce_to_one_participant",
    "AnnounceUrl": "test_engine_controls.py::test_announce_to_one_participant",
    "ApplicationSid": ME + "::test_calls_options_take_effect",
    "AreaCode": ME + "::test_number_settings_are_stored_and_rendered",
    "Beep": "test_voice_contact_centre.py::test_cold_transfer",
    "BeepOnExit": "test_engine_controls.py::test_modify_events",
    "CallSid": "test_recordings_api.py::test_lists_filters_fetch_and_delete",
    "CallSidToCoach": "test_api_participants.py::test_coaching_needs_a_present_target",
    "CallerId": ME + "::test_caller_id_is_the_from_the_called_party_sees",
    "Coaching": "test_api_participants.py::test_participant_filters_muted_hold_coaching",
    "ConferenceRecord": "test_recordings_api.py::test_recording_starts_when_bridged_excludes_wait_music_and_lasts_the_virtual_time",
    "ConferenceRecordingStatusCallback": "test_recordings_api.py::test_recording_status_callbacks_in_progress_completed_and_absent",
    "ConferenceRecordingStatusCallbackEvent": "test_recordings_api.py::test_recording_status_callbacks_in_progress_completed_and_absent",
    "ConferenceRecordingStatusCallbackMethod": ME + "::test_participant_options_take_effect",
    "ConferenceSid": "test_recordings_api.py::test_lists_filters_fetch_and_delete",
    "ConferenceStatusCallback": "test_engine_lifecycle.py::test_first_participants_conference_settings_win",
    "ConferenceStatusCallbackEvent": "test_audio_speaker.py::test_no_events_unless_the_conference_subscribed_to_speaker",
    "ConferenceStatusCallbackMethod": "test_engine_lifecycle.py::test_first_participants_conference_settings_win",
    "ConferenceTrim": ME + "::test_participant_options_take_effect",
    "DateCreated": "test_api_lists.py::test_conference_date_filters",
    "DateCreated<": "test_api_lists.py::test_conference_date_filters",
    "DateCreated>": "test_api_lists.py::test_conference_date_filters",
    "DateUpdated": "test_api_lists.py::test_conference_date_filters",
    "DateUpdated<": "test_api_lists.py::test_conference_date_filters",
    "DateUpdated>": "test_api_lists.py::test_conference_date_filters",
    "EmergencyAddressSid": ME + "::test_number_settings_are_stored_and_rendered",
    "EmergencyStatus": ME + "::test_number_settings_are_stored_and_rendered",
    "EndConferenceOnExit": "test_engine_lifecycle.py::test_end_conference_on_exit_moderator_leaving_ends_it",
    "EndTime": "test_api_lists.py::test_call_filters",
    "EndTime<": "test_api_lists.py::test_call_filters",
    "EndTime>": "test_api_lists.py::test_call_filters",
    "FallbackMethod": ME + "::test_calls_options_take_effect",
    "FallbackUrl": ME + "::test_calls_options_take_effect",
    "FriendlyName": "test_api_lists.py::test_conference_friendly_name_and_status_filters",
    "From": ME + "::test_caller_id_is_the_from_the_called_party_sees",
    "Hold": "test_api_participants.py::test_participant_filters_muted_hold_coaching",
    "HoldMethod": "test_engine_controls.py::test_hold_method_post_is_honoured",
    "HoldUrl": "test_engine_controls.py::test_hold_fetches_the_hold_url_with_get_by_default_then_unhold",
    "IdentitySid": ME + "::test_number_settings_are_stored_and_rendered",
    "AddressSid": ME + "::test_number_settings_are_stored_and_rendered",
    "BundleSid": ME + "::test_number_settings_are_stored_and_rendered",
    "IncludeSoftDeleted": "test_recordings_api.py::test_lists_filters_fetch_and_delete",
    "JitterBufferSize": "test_recordings_api.py::test_participant_record_true_is_a_call_recording_of_what_it_said_and_heard",
    "Label": "test_api_participants.py::test_fetch_update_delete_by_label_and_by_call_sid",
    "MaxParticipants": "test_engine_lifecycle.py::test_max_participants_16020",
    "Method": ME + "::test_calls_options_take_effect",
    "Muted": "test_api_participants.py::test_participant_filters_muted_hold_coaching",
    "Page": "test_api_lists.py::test_list_uri_echoes_filters_in_request_order_then_page_size_and_page",
    "PageSize": "test_api_lists.py::test_list_uri_echoes_filters_in_request_order_then_page_size_and_page",
    "PageToken": "test_api_lists.py::test_conference_pages_follow_twilio_tokens",
    "ParentCallSid": "test_api_lists.py::test_call_filters",
    "PauseBehavior": "test_recordings_api.py::test_pause_skip_shortens_the_recording_and_silence_does_not",
    "PhoneNumber": "test_api_lists.py::test_incoming_number_filters",
    "Record": "test_recordings_api.py::test_participant_record_true_is_a_call_recording_of_what_it_said_and_heard",
    "RecordingChannels": "test_recordings_api.py::test_dual_channel_download_and_the_16113_warning_for_mono",
    "RecordingStatusCallback": "test_call_recordings_api.py::test_create_fetch_pause_resume_stop_delete",
    "RecordingStatusCallbackEvent": "test_call_recordings_api.py::test_create_fetch_pause_resume_stop_delete",
    "RecordingStatusCallbackMethod": ME + "::test_recording_track_of_a_record_true_leg",
    "RecordingTrack": ME + "::test_recording_track_of_a_record_true_leg",
    "Region": ME + "::test_participant_options_take_effect",
    "SendDigits": ME + "::test_send_digits_are_played_to_the_called_party",
    "StartConferenceOnEnter": "test_engine_lifecycle.py::test_moderated_conference_waits_for_the_moderator",
    "StartTime": "test_api_lists.py::test_call_filters",
    "StartTime<": "test_api_lists.py::test_call_filters",
    "StartTime>": "test_api_lists.py::test_call_filters",
    "Status": "test_api_lists.py::test_conference_friendly_name_and_status_filters",
    "StatusCallback": "test_engine_calls.py::test_call_progress_callbacks_for_every_subscribed_event",
    "StatusCallbackEvent": "test_engine_calls.py::test_call_progress_callbacks_for_every_subscribed_event",
    "StatusCallbackMethod": ME + "::test_calls_options_take_effect",
    "TimeLimit": ME + "::test_calls_options_take_effect",
    "Timeout": "test_engine_calls.py::test_no_answer_after_timeout_plus_five_seconds",
    "To": ME + "::test_caller_id_is_the_from_the_called_party_sees",
    "Trim": "test_recordings_api.py::test_trim_silence_cuts_the_silent_tail_and_the_duration_follows_the_file",
    "Twiml": ME + "::test_calls_options_take_effect",
    "Url": ME + "::test_calls_options_take_effect",
    "VoiceFallbackMethod": ME + "::test_number_settings_are_stored_and_rendered",
    "VoiceFallbackUrl": "test_voice_faults.py::test_500_over_http_uses_the_fallback_url",
    "VoiceMethod": ME + "::test_number_settings_are_stored_and_rendered",
    "VoiceUrl": "test_voice_bridge_audio.py::test_bridged_calls_hear_each_other_and_not_themselves",
    "WaitMethod": ME + "::test_participant_options_take_effect",
    "WaitUrl": "test_api_errors.py::test_participant_create_parameter_codes",
}

# Answering machine detection (engine/amd.py) is shown by tests/test_amd.py: each of these
# names must appear there.
AMD_ELSEWHERE = {
    "MachineDetection", "MachineDetectionTimeout", "MachineDetectionSpeechThreshold",
    "MachineDetectionSpeechEndThreshold", "MachineDetectionSilenceTimeout", "AsyncAmd",
    "AsyncAmdStatusCallback", "AsyncAmdStatusCallbackMethod", "AmdStatusCallback",
    "AmdStatusCallbackMethod",
}


def spec_parameters(spec):
    """``{(METHOD, template): [parameter names]}``: query and form parameters of every route."""
    out = {}
    for template, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "delete"):
                continue
            names = [x["name"] for x in op.get("parameters", []) if x.get("in") == "query"]
            body = (op.get("requestBody", {}).get("content", {})
                    .get("application/x-www-form-urlencoded", {}).get("schema", {}))
            names += list(body.get("properties", {}))
            if names:
                out[(method.upper(), template)] = names
    return out


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.strip("<>")).lower()


def _test_source(ref):
    path, name = ref.split("::")
    with open(os.path.join(TESTS, path)) as fh:
        src = fh.read()
    for node in ast.parse(src).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return src
    return None


def test_every_parameter_of_every_route_has_an_effect_or_a_warning(served_spec):
    silently_dropped, bad_refs, warned, implemented = [], [], [], 0
    params = spec_parameters(served_spec)
    assert set(params) == set(ROUTES), set(params) ^ set(ROUTES)
    for key, names in params.items():
        schema, filter_keys = ROUTES[key]
        fields = {f.data_key: f for f in schema.fields.values()} if schema else {}
        for name in names:
            field = fields.get(name)
            if field is not None and field.metadata.get("ignored"):
                warned.append(name)                      # parsed, checked, warned about
            elif field is None and name not in filter_keys and name not in (
                    f.data_key for f in PAGING.values()):
                warned.append(name)                      # unknown here: warned about
            elif name in AMD_ELSEWHERE:
                with open(os.path.join(TESTS, "test_amd.py")) as fh:
                    amd_src = fh.read()
                if not (name in amd_src or _snake(name) in amd_src):
                    bad_refs.append((name, "test_amd.py"))
                implemented += 1
            elif name not in IMPLEMENTED:
                silently_dropped.append((key, name))
            else:
                ref = IMPLEMENTED[name]
                src = _test_source(ref)
                if src is None or not (name in src or _snake(name) in src):
                    bad_refs.append((name, ref))
                implemented += 1
    assert not silently_dropped, silently_dropped
    assert not bad_refs, bad_refs
    assert implemented > 150 and len(warned) > 30


# -- the warning itself ----------------------------------------------------------------------
def _auth(emu):
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def warnings_for(emu):
    return sorted(re.search(r"Parameter '([^']+)'", a["message"]).group(1)
                  for a in emu.alerts() if a["code"] == 12200 and a["level"] == "warning")


def test_ignored_and_unknown_parameters_raise_a_12200_warning_naming_them(emu):
    emu.deliver_webhooks_to(ok_app)
    emu.phone(FIRST, answer_after=1)
    client = emu.client
    client.conferences("Audit").participants.create(from_=CALLER, to=FIRST)
    assert warnings_for(emu) == []                       # a clean request warns nothing
    client.conferences("Audit").participants.create(
        from_=CALLER, to=FIRST, call_reason="Support", early_media=False,
        machine_detection="Enable", byoc="BY" + "0" * 32, sip_auth_username="u")
    assert warnings_for(emu) == ["Byoc", "CallReason", "EarlyMedia", "SipAuthUsername"]
    web = emu.app.test_client()
    base = f"/2010-04-01/Accounts/{emu.account_sid}"
    resp = web.post(f"{base}/Calls.json", headers=_auth(emu), data={
        "From": CALLER, "To": FIRST, "Twiml": "<Response/>", "CallToken": "tok",
        "Bogus": "x"})
    assert resp.status_code == 201
    resp = web.get(f"{base}/IncomingPhoneNumbers.json?Beta=true", headers=_auth(emu))
    assert resp.status_code == 200
    got = warnings_for(emu)
    assert {"Bogus", "CallToken", "Beta"} <= set(got)
    alert = [a for a in emu.alerts() if "'CallToken'" in a["message"]][0]
    assert alert["url"] == f"{base}/Calls.json" and "POST" in alert["message"]
    # A refused request (400) warns nothing: nothing was accepted.
    before = len(emu.alerts())
    resp = web.post(f"{base}/Calls.json", headers=_auth(emu), data={"To": FIRST, "Bogus": "x"})
    assert resp.status_code == 400 and len(emu.alerts()) == before


# -- behaviour of parameters no other test shows ----------------------------------------------
def test_caller_id_is_the_from_the_called_party_sees(emu):
    emu.deliver_webhooks_to(ok_app)
    emu.phone(FIRST, answer_after=1)
    client = emu.client
    part = client.conferences("CID").participants.create(
        from_=CALLER, to=FIRST, caller_id="+15557654321", status_callback="http://app.test/s",
        status_callback_event=["answered"])
    plain = client.calls.create(from_=CALLER, to=FIRST, twiml="<Response/>")
    emu.advance(3)
    call = client.calls(part.call_sid).fetch()
    assert (call._from, call.to) == ("+15557654321", FIRST)
    hook = emu.webhooks.params(kind="call-status", call_sid=part.call_sid)[0]
    assert hook["From"] == "+15557654321"
    assert client.calls(plain.sid).fetch()._from == CALLER       # no CallerId: From
    via_calls = client.calls.create(from_=CALLER, to=FIRST, caller_id="+15550001111",
                                    twiml="<Response/>")
    assert client.calls(via_calls.sid).fetch()._from == "+15550001111"


def _talking_phones(emu, tmp_path):
    emu.deliver_webhooks_to(ok_app)
    for number, hz in ((FIRST, 440), (SECOND, 700)):
        path = tmp_path / f"{hz}.wav"
        sf.write(path, tone(hz, 1.0), RATE, subtype="PCM_16")
        emu.phone(number, audio=str(path), loop=True)


def test_recording_track_of_a_record_true_leg(emu, tmp_path):
    _talking_phones(emu, tmp_path)
    client = emu.client
    a = client.conferences("Track").participants.create(
        from_=CALLER, to=FIRST, record=True, recording_track="inbound",
        recording_status_callback="http://app.test/rec", recording_status_callback_method="GET",
        jitter_buffer_size="off")
    client.conferences(a.conference_sid).participants.create(from_=CALLER, to=SECOND,
                                                             jitter_buffer_size="off")
    emu.advance(8)
    client.calls(a.call_sid).update(status="completed")
    emu.advance(1)
    (rec,) = client.calls(a.call_sid).recordings.list()
    assert rec.track == "inbound"
    x = sf.read(io.BytesIO(emu.recording_audio(rec.sid)), dtype="int16")[0]
    assert band_rms(x, 440) > 3000 and band_rms(x, 700) < 100   # what it said only
    hook = emu.webhooks.all(kind="recording-status")[-1]
    assert hook["method"] == "GET" and dict(hook["params"])["RecordingTrack"] == "inbound"


def _app():
    app = Flask("audit")

    @app.route("/boom", methods=["GET", "POST"])
    def boom():
        return "oops", 500

    @app.route("/ok", methods=["GET", "POST"])
    def ok():
        r = VoiceResponse()
        r.pause(length=600)
        return str(r), 200, {"Content-Type": "text/xml"}

    @app.route("/status", methods=["GET", "POST"])
    def status():
        return "", 204

    return app


def test_calls_options_take_effect(emu):
    emu.deliver_webhooks_to(_app())
    emu.phone(FIRST, answer_after=1)
    client = emu.client
    # Url answers 500: FallbackUrl is fetched, with FallbackMethod; Method is the Url's method.
    call = client.calls.create(
        from_=CALLER, to=FIRST, url="http://app.test/boom", method="GET",
        fallback_url="http://app.test/ok", fallback_method="GET", time_limit=30,
        status_callback="http://app.test/status", status_callback_method="GET")
    emu.advance(5)
    voice = (emu.webhooks.all(kind="voice", call_sid=call.sid)
             + emu.webhooks.all(kind="fallback", call_sid=call.sid))
    assert [(v["method"], v["url"].split("?")[0].rsplit("/", 1)[-1]) for v in voice][:2] == [
        ("GET", "boom"), ("GET", "ok")]
    emu.advance(40)                                       # TimeLimit=30 ends the call
    done = client.calls(call.sid).fetch()
    assert done.status == "completed" and int(done.duration) <= 31
    status = emu.webhooks.all(kind="call-status", call_sid=call.sid)
    assert status and all(s["method"] == "GET" for s in status)
    # Twiml instead of Url; ApplicationSid beside it is warned about, not used.
    tw = client.calls.create(from_=CALLER, to=FIRST, twiml="<Response><Pause/></Response>",
                             application_sid="AP" + "0" * 32)
    assert client.calls(tw.sid).fetch().status == "queued"
    assert "ApplicationSid" in warnings_for(emu)


def test_participant_options_take_effect(emu, tmp_path):
    _talking_phones(emu, tmp_path)
    emu.deliver_webhooks_to(_app())
    client = emu.client
    a = client.conferences("Opts").participants.create(
        from_=CALLER, to=FIRST, region="ie1", wait_url="http://app.test/ok", wait_method="GET",
        conference_record="record-from-start", conference_trim="do-not-trim",
        conference_recording_status_callback="http://app.test/status",
        conference_recording_status_callback_method="GET")
    emu.advance(4)
    wait = emu.webhooks.all(kind="wait-url")
    assert wait and wait[0]["method"] == "GET"
    client.conferences(a.conference_sid).participants.create(from_=CALLER, to=SECOND)
    emu.advance(6)
    assert client.conferences(a.conference_sid).fetch().region == "ie1"
    client.conferences(a.conference_sid).update(status="completed")
    emu.advance(1)
    hook = emu.webhooks.all(kind="recording-status")[-1]
    assert hook["method"] == "GET"
    assert "ConferenceTrim" not in warnings_for(emu)


def test_number_settings_are_stored_and_rendered(emu):
    client = emu.client
    n = client.incoming_phone_numbers.create(
        area_code="415", friendly_name="Desk", voice_url="https://example.com/v",
        voice_method="GET", voice_fallback_url="https://example.com/f",
        voice_fallback_method="GET", emergency_status="Active",
        emergency_address_sid="AD" + "1" * 32, identity_sid="RI" + "2" * 32,
        address_sid="AD" + "3" * 32, bundle_sid="BU" + "4" * 32)
    got = client.incoming_phone_numbers(n.sid).fetch()
    assert got.phone_number.startswith("+1415")
    assert (got.friendly_name, got.voice_method, got.voice_fallback_url,
            got.voice_fallback_method, got.emergency_status, got.emergency_address_sid,
            got.identity_sid, got.address_sid, got.bundle_sid) == (
        "Desk", "GET", "https://example.com/f", "GET", "Active", "AD" + "1" * 32,
        "RI" + "2" * 32, "AD" + "3" * 32, "BU" + "4" * 32)
    assert warnings_for(emu) == []


def test_send_digits_are_played_to_the_called_party(emu):
    emu.deliver_webhooks_to(ok_app)
    emu.phone(FIRST, answer_after=1)
    call = emu.client.calls.create(from_=CALLER, to=FIRST, send_digits="1",
                                   twiml="<Response><Pause length=\"3\"/></Response>")
    emu.advance(10)
    x = sf.read(io.BytesIO(emu.call_audio(call.sid)), dtype="int16")[0]
    first = x[: RATE // 2]
    assert band_rms(first, 697) > 1000 and band_rms(first, 1209) > 1000   # DTMF "1"
    assert band_rms(x[2 * RATE:], 697) < 10                                # then the Pause
    assert "SendDigits" not in warnings_for(emu)
