"""Answering machine detection through twilio-python: the virtual phone declares what answers,
the emulator reports it at the documented moment, on the documented callbacks."""

import pytest
from engine_harness import BACKENDS, Harness
from twilio.base.exceptions import TwilioRestException

A, B = "+15550000001", "+15550000002"
VOICE = '<Response><Say>Hello there</Say><Pause length="30"/></Response>'


@pytest.fixture
def h():
    harness = Harness("inproc")
    yield harness
    harness.close()


def _t0(h):
    return h.emu.now()


def _journal(h, kind):
    return [(e["time"], dict(e["params"])) for e in h.emu.webhooks.all(kind=kind)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_participant_amd_callback_and_join_after_detection(backend):
    h = Harness(backend)
    try:
        h.emu.phone(A, answer_after=2, answered_by="machine_end_beep", greeting_seconds=8)
        t0 = h.emu.now()
        p = h.add("Room", A, machine_detection="DetectMessageEnd",
                  amd_status_callback=h.url("/amd"), status_callback=h.url("/call"),
                  status_callback_event=["answered", "completed"])
        h.emu.advance(10.5)  # 1 s ring delay + 2 s ringing + 8 s greeting = 11 s
        assert h.received.params("/amd") == []
        assert "participant-join" not in h.conf_events()
        h.emu.advance(1)
        amd = h.received.kind("/amd")
        assert len(amd) == 1 and amd[0]["valid"]
        assert amd[0]["params"] == {"AccountSid": h.emu.account_sid, "CallSid": p.call_sid,
                                    "AnsweredBy": "machine_end_beep",
                                    "MachineDetectionDuration": "8000"}
        assert h.conf_events() == ["participant-join"]
        assert h.client.calls(p.call_sid).fetch().answered_by == "machine_end_beep"
        h.client.conferences(p.conference_sid).participants(p.call_sid).delete()
        h.emu.advance(1)
        answered, completed = h.received.params("/call")
        assert "AnsweredBy" not in answered  # answered before the detection finished
        assert completed["AnsweredBy"] == "machine_end_beep"
        assert h.emu.now() - t0 == pytest.approx(12.5)
    finally:
        h.close()


@pytest.mark.parametrize("declared, mode, thresholds, expected, seconds", [
    ("human", "Enable", {}, "human", 2.2),                       # 1 s greeting + 1.2 s
    ("human", "Enable", {"machine_detection_speech_end_threshold": 500}, "human", 1.5),
    ("machine_end_silence", "Enable", {}, "machine_start", 2.4),  # speech threshold
    ("machine_end_beep", "Enable", {"machine_detection_speech_threshold": 1500},
     "machine_start", 1.5),
    ("machine_start", "DetectMessageEnd", {}, "machine_end_other", 11.2),
    ("machine_end_silence", "DetectMessageEnd", {}, "machine_end_silence", 11.2),
    ("fax", "Enable", {}, "fax", 2.0),
    ("unknown", "Enable", {"machine_detection_silence_timeout": 3000}, "unknown", 3.0),
])
def test_detection_result_and_moment(h, declared, mode, thresholds, expected, seconds):
    h.emu.phone(A, answer_after=1, answered_by=declared)
    t0 = _t0(h)
    p = h.add("Room", A, machine_detection=mode, amd_status_callback=h.url("/amd"),
              **thresholds)
    h.emu.advance(30)
    [(when, params)] = _journal(h, "amd-status")
    assert params["AnsweredBy"] == expected
    assert when - t0 == pytest.approx(2 + seconds)  # ring delay + answer_after
    assert params["MachineDetectionDuration"] == str(int(round(seconds * 1000)))
    assert h.client.calls(p.call_sid).fetch().answered_by == expected


def test_machine_detection_timeout_gives_unknown(h):
    h.emu.phone(A, answer_after=1, answered_by="machine_end_beep", greeting_seconds=40)
    t0 = _t0(h)
    h.add("Room", A, machine_detection="DetectMessageEnd", machine_detection_timeout=10,
          amd_status_callback=h.url("/amd"))
    h.emu.advance(60)
    [(when, params)] = _journal(h, "amd-status")
    assert params["AnsweredBy"] == "unknown"
    assert when - t0 == pytest.approx(12)


def test_calls_api_sync_amd_holds_the_voice_url_until_detected(h):
    h.handlers["/voice"] = lambda r: (VOICE, 200, {"Content-Type": "text/xml"})
    h.emu.phone(B, answer_after=1, answered_by="human", greeting_seconds=2)
    call = h.client.calls.create(to=B, from_=A, url=h.url("/voice"), machine_detection="Enable",
                                 async_amd_status_callback=h.url("/amd"),
                                 status_callback=h.url("/status"))
    h.emu.advance(5)  # answered at 2 s, detected at 2 + 2 + 1.2 = 5.2 s
    assert h.received.params("/voice") == []
    h.emu.advance(0.3)
    [voice] = h.received.params("/voice")
    assert voice["AnsweredBy"] == "human" and voice["CallSid"] == call.sid
    assert h.received.params("/amd") == []  # only AsyncAmd=true posts there
    h.client.calls(call.sid).update(status="completed")
    h.emu.advance(1)
    assert h.received.params("/status")[-1]["AnsweredBy"] == "human"


def test_calls_api_async_amd_runs_twiml_at_once_and_posts_the_result(h):
    h.handlers["/voice"] = lambda r: (VOICE, 200, {"Content-Type": "text/xml"})
    h.emu.phone(B, answer_after=1, answered_by="machine_end_silence", greeting_seconds=6)
    t0 = _t0(h)
    call = h.client.calls.create(to=B, from_=A, url=h.url("/voice"),
                                 machine_detection="DetectMessageEnd", async_amd="true",
                                 async_amd_status_callback=h.url("/amd"),
                                 async_amd_status_callback_method="GET")
    h.emu.advance(2)
    [voice] = h.received.params("/voice")
    assert "AnsweredBy" not in voice
    h.emu.advance(10)
    [amd] = h.received.kind("/amd")
    assert amd["method"] == "GET" and amd["valid"]
    assert amd["params"]["AnsweredBy"] == "machine_end_silence"
    assert amd["params"]["MachineDetectionDuration"] == "7200"
    [(when, _)] = _journal(h, "amd-status")
    assert when - t0 == pytest.approx(2 + 7.2)
    assert h.client.calls(call.sid).fetch().answered_by == "machine_end_silence"


def test_send_digits_overrides_machine_detection(h):
    h.handlers["/voice"] = lambda r: (VOICE, 200, {"Content-Type": "text/xml"})
    h.emu.phone(B, answer_after=1, answered_by="machine_start")
    call = h.client.calls.create(to=B, from_=A, url=h.url("/voice"), machine_detection="Enable",
                                 send_digits="1234")
    h.emu.advance(5)  # SendDigits plays its tones first; the TwiML is requested after them
    [voice] = h.received.params("/voice")
    assert "AnsweredBy" not in voice
    assert h.client.calls(call.sid).fetch().answered_by is None


def test_no_machine_detection_no_answered_by(h):
    h.emu.phone(A, answer_after=1, answered_by="machine_start")
    p = h.add("Room", A, amd_status_callback=h.url("/amd"))
    h.emu.advance(20)
    assert h.received.params("/amd") == []
    assert h.conf_events() == ["participant-join"]
    assert h.client.calls(p.call_sid).fetch().answered_by is None


def test_lower_case_enable_is_accepted_and_bad_values_are_400(h):
    h.emu.phone(A, answer_after=1)
    h.add("Room", A, machine_detection="enable", amd_status_callback=h.url("/amd"))
    h.emu.advance(10)
    assert h.received.params("/amd")[0]["AnsweredBy"] == "human"
    with pytest.raises(TwilioRestException) as err:
        h.add("Room", B, machine_detection="Sometimes")
    assert err.value.status == 400 and err.value.code == 21200
    with pytest.raises(TwilioRestException) as err:
        h.add("Room", B, machine_detection="Enable", machine_detection_speech_threshold=99)
    assert err.value.status == 400


def test_phone_answered_by_is_checked(h):
    with pytest.raises(Exception) as err:
        h.emu.phone(A, answered_by="robot")
    assert "answered_by" in str(err.value)
    with pytest.raises(Exception) as err:
        h.emu.phone(A, answered_by="human", greeting_seconds="long")
    assert "greeting_seconds" in str(err.value)


def test_participant_can_join_at_answer_while_detection_runs(h):
    h.emu.config.update(participant_amd_holds_join=False)
    h.emu.phone(A, answer_after=1, answered_by="machine_end_silence", greeting_seconds=5)
    h.add("Room", A, machine_detection="DetectMessageEnd", amd_status_callback=h.url("/amd"))
    h.emu.advance(3)  # answered at 2: in the conference at once
    assert h.conf_events() == ["participant-join"]
    assert h.received.params("/amd") == []
    h.emu.advance(10)
    assert h.received.params("/amd")[0]["AnsweredBy"] == "machine_end_silence"


def test_same_amd_scenario_twice_gives_the_same_journal():
    from audio_helpers import ok_app

    from twilio_conf_emulator import Emulator

    def run():
        emu = Emulator()
        emu.deliver_webhooks_to(ok_app)
        emu.phone(A, answer_after=1, answered_by="machine_end_beep", greeting_seconds=4)
        emu.phone(B, answer_after=2, answered_by="human")
        for n in (A, B):
            emu.client.conferences("Room").participants.create(
                from_="+15550100000", to=n, machine_detection="DetectMessageEnd",
                amd_status_callback="http://app.test/amd", status_callback="http://app.test/s")
        emu.advance(30)
        out = [(e["time"], e["kind"], e["params"]) for e in emu.webhooks.all()]
        emu.stop()
        return out

    first = run()
    assert [k for _, k, _ in first].count("amd-status") == 2
    assert first == run()
