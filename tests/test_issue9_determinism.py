"""The issue-9 features are deterministic: the same scenario (call recording via REST, a
recorded <Dial><Number> with a whisper, a speech <Gather>) twice gives the same journal and
the same recording bytes."""

import soundfile as sf
from audio_helpers import RATE, tone
from flask import Flask, request
from twilio.twiml.voice_response import Dial, VoiceResponse

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig

SUPPORT, AGENT = "+15550650000", "+15550650001"


def app():
    web = Flask(__name__)

    @web.post("/in")
    def inbound():
        r = VoiceResponse()
        g = r.gather(input="speech", action="/routed", speech_timeout="auto",
                     partial_result_callback="/partial")
        g.say("Say agent")
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/routed")
    def routed():
        r = VoiceResponse()
        d = Dial(record="record-from-answer-dual", recording_status_callback="/rec",
                 time_limit=6)
        d.number(AGENT, url="/whisper")
        r.append(d)
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/whisper")
    def whisper():
        r = VoiceResponse()
        r.say("Customer " + request.form.get("CallSid", "")[:4])
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.route("/<path:_>", methods=["GET", "POST"])
    def other(_):
        return "", 204

    return web


def scenario(tmp_path):
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    try:
        emu.deliver_webhooks_to(app())
        for name, hz in (("agent", 700), ("caller", 1200)):
            sf.write(tmp_path / f"{name}.wav", tone(hz, 30.0), RATE, subtype="PCM_16")
        emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                                 voice_url="http://app.test/in")
        emu.phone(AGENT, audio=str(tmp_path / "agent.wav"), answer_after=2)
        caller = emu.call("+15559990000", SUPPORT, audio=str(tmp_path / "caller.wav"),
                          speech=[{"at": 2, "text": "agent"}])
        emu.advance(6)
        live = emu.client.calls(caller).recordings.create(recording_track="inbound")
        emu.advance(30)
        journal = [(w["kind"], w["method"], w["url"], w["params"]) for w in emu.webhooks.all()]
        recs = sorted(r.sid for r in emu.client.recordings.list())
        audio = [emu.recording_audio(sid, channels=2) for sid in recs]
        return journal, recs, audio, live.sid
    finally:
        emu.stop()


def test_same_scenario_twice_same_journal_and_bytes(tmp_path):
    first, second = scenario(tmp_path), scenario(tmp_path)
    journal, recs, audio, live = first
    kinds = {k for k, _, _, _ in journal}
    assert {"partial-result", "gather", "number-url", "recording-status"} <= kinds
    assert len(recs) == 2 and live in recs and all(len(a) > 44 for a in audio)
    assert first == second
