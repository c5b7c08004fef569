"""Participant call legs through twilio-python, in-process and against ``serve``
(reference §1.2, §4.2): statuses, call-progress callbacks, busy / no-answer / failed phones."""

import pytest
from engine_harness import BACKENDS, Harness

A, B = "+15550000001", "+15550000002"
ALL = ["initiated", "ringing", "answered", "completed"]


@pytest.fixture(params=BACKENDS)
def h(request):
    harness = Harness(request.param)
    yield harness
    harness.close()


def _part(h, conf, sid):
    return h.client.conferences(conf).participants(sid).fetch()


def test_participant_status_follows_its_leg(h):
    h.emu.phone(A, answer_after=3)
    p = h.add("Room", A)
    assert p.status == "queued"
    h.emu.advance(0)
    assert _part(h, p.conference_sid, p.call_sid).status == "connecting"
    assert h.client.calls(p.call_sid).fetch().status == "queued"
    h.emu.advance(1)  # ring_delay
    assert _part(h, p.conference_sid, p.call_sid).status == "ringing"
    assert h.client.calls(p.call_sid).fetch().status == "ringing"
    h.emu.advance(2.9)
    assert _part(h, p.conference_sid, p.call_sid).status == "ringing"
    h.emu.advance(0.1)
    assert _part(h, p.conference_sid, p.call_sid).status == "connected"
    call = h.client.calls(p.call_sid).fetch()
    assert call.status == "in-progress" and call.direction == "outbound-api"


def test_call_progress_callbacks_for_every_subscribed_event(h):
    h.emu.phone(A, answer_after=2, hangup_after=65)
    p = h.add("Room", A, status_callback=h.url("/call"), status_callback_event=ALL)
    h.emu.advance(100)
    got = h.received.kind("/call")
    assert all(r["valid"] and r["method"] == "POST" for r in got)
    params = [r["params"] for r in got]
    assert [q["CallStatus"] for q in params] == ["initiated", "ringing", "in-progress",
                                                 "completed"]
    assert [q["SequenceNumber"] for q in params] == ["0", "1", "2", "3"]
    assert {q["CallbackSource"] for q in params} == {"call-progress-events"}
    assert {q["CallSid"] for q in params} == {p.call_sid}
    assert {q["Direction"] for q in params} == {"outbound-api"}
    assert params[0]["To"] == params[0]["Called"] == A
    assert "CallDuration" not in params[2]
    assert params[3]["CallDuration"] == "65"
    assert params[3]["Duration"] == "2"


def test_default_call_progress_event_is_completed_only(h):
    h.emu.phone(A, hangup_after=10)
    h.add("Room", A, status_callback=h.url("/call"))
    h.emu.advance(30)
    assert [q["CallStatus"] for q in h.received.params("/call")] == ["completed"]
    assert h.received.params("/call")[0]["SequenceNumber"] == "0"


@pytest.mark.parametrize("outcome", ["busy", "failed"])
def test_busy_and_failed_phones(h, outcome):
    h.emu.phone(B, outcome=outcome)
    p = h.add("Room", B, status_callback=h.url("/call"), status_callback_event=ALL)
    h.emu.advance(10)
    assert h.client.calls(p.call_sid).fetch().status == outcome
    assert h.client.conferences(p.conference_sid).participants.list() == []
    calls = [q["CallStatus"] for q in h.received.params("/call")]
    assert calls[0] == "initiated" and calls[-1] == outcome
    assert "in-progress" not in calls
    leave = [q for q in h.received.params("/conf")
             if q["StatusCallbackEvent"] == "participant-leave"]
    assert len(leave) == 1
    assert leave[0]["CallSid"] == p.call_sid
    assert leave[0]["ReasonParticipantLeft"] == "participant_add_failed"
    assert leave[0]["ParticipantCallStatus"] == outcome
    assert "participant-join" not in h.conf_events()


def test_no_answer_after_timeout_plus_five_seconds(h):
    h.emu.phone(B, outcome="no-answer")
    h.add("Room", A)
    p = h.add("Room", B, timeout=10, status_callback=h.url("/call"))
    h.emu.advance(1)  # initiated at 0, ringing at 1
    h.emu.advance(14.9)
    assert h.client.calls(p.call_sid).fetch().status == "ringing"
    h.emu.advance(0.1)  # 10 s Timeout + the 5 s buffer after ringing started
    assert h.client.calls(p.call_sid).fetch().status == "no-answer"
    (done,) = h.received.params("/call")
    assert done["CallStatus"] == "no-answer" and done["CallDuration"] == "0"
    leave = [q for q in h.received.params("/conf")
             if q["StatusCallbackEvent"] == "participant-leave"]
    assert [(q["CallSid"], q["ParticipantCallStatus"], q["ReasonParticipantLeft"])
            for q in leave] == [(p.call_sid, "no-answer", "participant_add_failed")]
    # The other participant is still there, waiting.
    conf = h.client.conferences(p.conference_sid).fetch()
    assert conf.status == "init"
    assert len(h.client.conferences(conf.sid).participants.list()) == 1


def test_a_phone_that_answers_after_the_timeout_is_no_answer(h):
    h.emu.phone(A, answer_after=30)
    p = h.add("Room", A, timeout=5)
    h.emu.advance(60)
    assert h.client.calls(p.call_sid).fetch().status == "no-answer"
