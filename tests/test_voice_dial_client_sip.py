"""<Dial><Client> and <Dial><Sip>: answered by virtual phones registered by identity
(``client:alice``) or SIP URI; the caller and the agent hear each other; DialCallStatus
reaches the action.  Issue 9."""

import io

import pytest
import soundfile as sf
from audio_helpers import RATE, tone
from flask import Flask, request
from twilio.twiml.voice_response import Dial, VoiceResponse

from twilio_conf_emulator.media.analysis import band_rms

SUPPORT = "+15550620000"


def app():
    web = Flask(__name__)

    @web.post("/in")
    def inbound():
        r = VoiceResponse()
        d = Dial(action="/after", time_limit=8)
        if request.args["to"] == "client":
            d.client(identity="alice")
        elif request.args["to"] == "client-nested":
            c = d.client()
            c.identity("alice")
        else:
            d.sip("sip:alice@pbx.example.com;transport=tls?X-Team=blue", username="u",
                  password="p")
        r.append(d)
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/after")
    def after():
        return "<Response><Hangup/></Response>", 200, {"Content-Type": "text/xml"}

    return web


def run(emu, tmp_path, to, phone):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url=f"http://app.test/in?to={to}")
    for name, hz in (("agent", 700), ("caller", 440)):
        sf.write(tmp_path / f"{name}.wav", tone(hz, 60.0), RATE, subtype="PCM_16")
    emu.phone(phone, audio=str(tmp_path / "agent.wav"), answer_after=2)
    caller = emu.call("+15559990000", SUPPORT, audio=str(tmp_path / "caller.wav"))
    emu.advance(30)
    return caller


@pytest.mark.parametrize("to, phone, dialled", [
    ("client", "client:alice", "client:alice"),
    ("client", "alice", "client:alice"),                      # registered by bare identity
    ("client-nested", "client:alice", "client:alice"),
    ("sip", "sip:alice@pbx.example.com", "sip:alice@pbx.example.com")])
def test_dialled_endpoint_answers_and_is_bridged(emu, tmp_path, to, phone, dialled):
    caller = run(emu, tmp_path, to, phone)
    (leg,) = emu.client.calls.list(parent_call_sid=caller)
    assert (leg.to, leg.status) == (dialled, "completed")
    heard = sf.read(io.BytesIO(emu.call_audio(caller)), dtype="int16")[0]
    assert band_rms(heard, 700) > 1000 and band_rms(heard, 440) < 100   # the agent, not itself
    action = emu.webhooks.params(kind="action", call_sid=caller)[0]
    assert (action["DialCallStatus"], action["DialCallSid"]) == ("completed", leg.sid)
    assert not [a for a in emu.alerts() if a["code"] == 12200 and "Dial" in a["message"]]
