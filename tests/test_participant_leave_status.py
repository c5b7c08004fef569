"""participant-leave carries the call's real status: in-progress when the call goes on
(kicked, redirected, conference ended, with TwiML after <Dial>), completed when it ends."""

import pytest
from engine_harness import Harness

A, B, C = "+15550000001", "+15550000002", "+15550000003"
TWIML = ('<Response><Dial><Conference>Room</Conference></Dial>'
         '<Say>You have left the conference.</Say><Pause length="30"/></Response>')


@pytest.fixture
def h():
    harness = Harness("inproc")
    yield harness
    harness.close()


def _room(h):
    for n in (A, B):
        h.emu.phone(n, answer_after=1)
    cb = dict(status_callback_event=["completed"])
    twiml_leg = h.client.calls.create(to=A, from_=C, twiml=TWIML.replace(
        "<Conference>", f'<Conference statusCallback="{h.url("/conf")}" '
        'statusCallbackEvent="join leave end">'), **cb)
    api_leg = h.add("Room", B)
    h.emu.advance(5)
    return twiml_leg.sid, api_leg


def _leaves(h):
    return {q["CallSid"]: (q["ParticipantCallStatus"], q["ReasonParticipantLeft"])
            for q in h.received.params("/conf") if q["StatusCallbackEvent"] == "participant-leave"}


def test_kicked_twiml_participant_is_in_progress_and_its_call_goes_on(h):
    sid, api_leg = _room(h)
    h.client.conferences(api_leg.conference_sid).participants(sid).delete()
    h.emu.advance(1)
    assert _leaves(h)[sid] == ("in-progress", "participant_updated_via_api")
    assert h.client.calls(sid).fetch().status == "in-progress"


def test_kicked_api_participant_is_completed(h):
    sid, api_leg = _room(h)
    h.client.conferences(api_leg.conference_sid).participants(api_leg.call_sid).delete()
    h.emu.advance(1)
    assert _leaves(h)[api_leg.call_sid] == ("completed", "participant_updated_via_api")
    assert h.client.calls(api_leg.call_sid).fetch().status == "completed"


def test_redirected_participant_is_in_progress(h):
    sid, api_leg = _room(h)
    h.client.calls(api_leg.call_sid).update(twiml="<Response><Pause length='20'/></Response>")
    h.emu.advance(1)
    assert _leaves(h)[api_leg.call_sid] == ("in-progress", "participant_updated_via_api")
    assert h.client.calls(api_leg.call_sid).fetch().status == "in-progress"


def test_conference_end_reports_each_calls_own_status(h):
    sid, api_leg = _room(h)
    h.client.conferences(api_leg.conference_sid).update(status="completed")
    h.emu.advance(1)
    leaves = _leaves(h)
    assert leaves[sid] == ("in-progress", "conference_ended_via_api")  # its next verb runs
    assert leaves[api_leg.call_sid] == ("completed", "conference_ended_via_api")
    assert h.client.calls(sid).fetch().status == "in-progress"


def test_hung_up_participant_is_completed(h):
    sid, api_leg = _room(h)
    h.client.calls(sid).update(status="completed")
    h.emu.advance(1)
    assert _leaves(h)[sid] == ("completed", "participant_updated_via_api")
