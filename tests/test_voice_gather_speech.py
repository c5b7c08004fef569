"""Speech <Gather>: a virtual caller or phone declares what it says; Gather input="speech" or
"dtmf speech" posts SpeechResult and Confidence to its action, with partialResultCallback
requests word by word when set.  Issue 9."""

import pytest
from flask import Flask, request
from twilio.twiml.voice_response import VoiceResponse

SUPPORT = "+15550640000"


def app():
    web = Flask(__name__)

    @web.post("/in")
    def inbound():
        r = VoiceResponse()
        kw = {"partial_result_callback": "/partial"} if request.args.get("partial") else {}
        g = r.gather(input=request.args["input"], action="/result", speech_timeout="auto",
                     timeout=5, **kw)
        g.say("How can we help you today")
        r.say("Nothing heard")
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/result")
    def result():
        return "<Response><Hangup/></Response>", 200, {"Content-Type": "text/xml"}

    @web.post("/partial")
    def partial():
        return "", 204

    return web


@pytest.fixture
def emu_app(emu):
    emu.deliver_webhooks_to(app())
    return emu


def dial_in(emu, query, **caller):
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url=f"http://app.test/in?{query}")
    sid = emu.call("+15559990000", SUPPORT, **caller)
    emu.advance(30)
    return sid


@pytest.mark.parametrize("mode", ["speech", "dtmf speech"])
def test_speech_result_and_confidence_reach_the_action(emu_app, mode):
    sid = dial_in(emu_app, f"input={mode}",
                  speech=[{"at": 2, "text": "I want to pay my bill"}])
    (result,) = emu_app.webhooks.params(kind="gather", call_sid=sid)
    assert (result["SpeechResult"], result["Confidence"]) == ("I want to pay my bill", "0.9")
    assert "Digits" not in result
    # Said at 2 s (barging into the prompt), six words of 0.4 s, then 1 s of "auto" silence.
    entry = emu_app.webhooks.all(kind="gather", call_sid=sid)[0]
    voice = emu_app.webhooks.all(kind="voice", call_sid=sid)[0]
    assert entry["time"] - voice["time"] == pytest.approx(2 + 6 * 0.4 + 1.0)


def test_partial_results_word_by_word(emu_app):
    sid = dial_in(emu_app, "input=speech&partial=1", speech=[{"at": 1, "text": "agent please"}])
    partial = emu_app.webhooks.params(kind="partial-result", call_sid=sid)
    assert [(p["SequenceNumber"], p["UnstableSpeechResult"]) for p in partial] == [
        ("0", "agent"), ("1", "agent please")]
    assert emu_app.webhooks.params(kind="gather", call_sid=sid)[0]["SpeechResult"] == \
        "agent please"


def test_speech_only_gather_ignores_keys_and_dtmf_only_ignores_speech(emu_app):
    sid = dial_in(emu_app, "input=speech", digits=[{"at": 2, "digits": "1"}])
    assert emu_app.webhooks.all(kind="gather", call_sid=sid) == []   # timed out, next verb
    emu_app.client.incoming_phone_numbers.list()[0].delete()
    sid = dial_in(emu_app, "input=dtmf", speech=[{"at": 2, "text": "hello"}])
    assert emu_app.webhooks.all(kind="gather", call_sid=sid) == []
    assert not [a for a in emu_app.alerts() if "speech" in a["message"].lower()]


def test_a_dialled_phone_speaks_too(emu_app):
    emu_app.phone("+15550649999", speech=[{"at": 1, "text": "yes"}])
    call = emu_app.client.calls.create(
        to="+15550649999", from_=SUPPORT,
        twiml='<Response><Gather input="speech" action="http://app.test/result" '
              'speechTimeout="2"/></Response>')
    emu_app.advance(10)
    (result,) = emu_app.webhooks.params(kind="gather", call_sid=call.sid)
    assert result["SpeechResult"] == "yes"


def test_bad_speech_script_is_refused(emu_app):
    from twilio_conf_emulator.errors import BadRequest

    with pytest.raises(BadRequest):
        emu_app.phone("+15550649998", speech="hello")
    resp = emu_app.app.test_client().post("/_emulator/calls", json={
        "from": "+15559990000", "to": SUPPORT, "speech": [{"at": "soon"}]})
    assert resp.status_code == 400


def test_scenario_callers_speak(tmp_path):
    from twilio_conf_emulator import Emulator, scenario

    emu = Emulator()
    try:
        emu.deliver_webhooks_to(app())
        sc = scenario.normalise({
            "run": 20,
            "numbers": [{"number": SUPPORT, "voice_url": "http://app.test/in?input=speech"}],
            "callers": [{"name": "ann", "from": "+15559990001", "to": SUPPORT,
                         "speech": ["2:pay my bill"]}],
        })
        result = scenario.run(sc, scenario.InProcess(emu))
        gathers = [dict(w["params"]) for w in result["journal"] if w["kind"] == "gather"]
        assert [g["SpeechResult"] for g in gathers] == ["pay my bill"]
    finally:
        emu.stop()
    with pytest.raises(scenario.ScenarioError):
        scenario.parse_speech(["soon"])
