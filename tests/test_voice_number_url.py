"""<Number url>: the whisper TwiML is fetched for the dialled leg and played to the called
party only, before the bridge; a <Gather> in it screens the call (press 1 to accept), a
<Hangup> refuses it.  Issue 9."""

import io

import pytest
import soundfile as sf
from audio_helpers import RATE, tone
from flask import Flask, request
from twilio.twiml.voice_response import Dial, VoiceResponse

from twilio_conf_emulator.media.analysis import band_rms

SUPPORT, AGENT = "+15550630000", "+15550630001"


def app():
    web = Flask(__name__)

    @web.post("/in")
    def inbound():
        r = VoiceResponse()
        d = Dial(action="/after", time_limit=10)
        d.number(AGENT, url="/whisper?mode=" + request.args["mode"])
        r.append(d)
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/whisper")
    def whisper():
        r = VoiceResponse()
        mode = request.args["mode"]
        if mode == "say":
            r.say("Call from the support line", voice="alice")
        elif mode == "screen":
            g = r.gather(num_digits=1, action="/screened", timeout=5)
            g.say("Press 1 to accept")
            r.hangup()
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/screened")
    def screened():
        r = VoiceResponse()
        if request.form.get("Digits") != "1":
            r.hangup()
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/after")
    def after():
        return "<Response><Hangup/></Response>", 200, {"Content-Type": "text/xml"}

    return web


def run(emu, tmp_path, mode, digits=None):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url=f"http://app.test/in?mode={mode}")
    for name, hz in (("agent", 700), ("caller", 1200)):  # <Say> stand-in: 200-600 Hz
        sf.write(tmp_path / f"{name}.wav", tone(hz, 60.0), RATE, subtype="PCM_16")
    behaviour = {"digits": [{"at": 2, "digits": digits}]} if digits else {}
    emu.phone(AGENT, audio=str(tmp_path / "agent.wav"), answer_after=2, **behaviour)
    caller = emu.call("+15559990000", SUPPORT, audio=str(tmp_path / "caller.wav"))
    emu.advance(40)
    (leg,) = emu.client.calls.list(parent_call_sid=caller)
    return caller, leg


def heard(emu, sid):
    return sf.read(io.BytesIO(emu.call_audio(sid)), dtype="int16")[0]


def test_whisper_is_fetched_for_the_agent_and_played_before_the_bridge(emu, tmp_path):
    caller, leg = run(emu, tmp_path, "say")
    (w,) = emu.webhooks.params(kind="number-url")
    assert (w["CallSid"], w["To"], w["CallStatus"]) == (leg.sid, AGENT, "in-progress")
    agent_heard, caller_heard = heard(emu, leg.sid), heard(emu, caller)
    # The agent hears the whisper first (no caller yet), then the caller.
    assert band_rms(agent_heard[: RATE // 2], 1200) < 100
    assert band_rms(agent_heard, 1200) > 1000
    # The caller never hears the whisper, then hears the agent once bridged.
    assert band_rms(caller_heard, 700) > 1000
    action = emu.webhooks.params(kind="action", call_sid=caller)[0]
    assert action["DialCallStatus"] == "completed" and action["DialBridged"] == "true"
    assert not [a for a in emu.alerts() if "Number url" in a["message"]]


def test_screening_press_1_bridges(emu, tmp_path):
    caller, leg = run(emu, tmp_path, "screen", digits="1")
    assert [w["Digits"] for w in emu.webhooks.params(kind="gather", call_sid=leg.sid)] == ["1"]
    assert band_rms(heard(emu, caller), 700) > 1000


@pytest.mark.parametrize("digits", ["2", None])
def test_screening_refused_never_bridges(emu, tmp_path, digits):
    caller, leg = run(emu, tmp_path, "screen", digits=digits)
    assert band_rms(heard(emu, caller), 700) < 100          # never bridged
    action = emu.webhooks.params(kind="action", call_sid=caller)[0]
    assert (action["DialCallStatus"], action["DialBridged"], action["DialCallSid"]) == (
        "completed", "false", leg.sid)
    assert leg.status == "completed"
