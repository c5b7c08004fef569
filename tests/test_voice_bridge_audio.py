"""<Dial><Number> bridges two calls: each hears the other, never itself, only while bridged."""

import io

import numpy as np
import soundfile as sf
from audio_helpers import RATE, tone
from flask import Flask
from twilio.twiml.voice_response import Dial, VoiceResponse

from twilio_conf_emulator.media.analysis import band_rms

SUPPORT, AGENT = "+15550600000", "+15550600001"


def app():
    web = Flask(__name__)

    @web.post("/transfer")
    def transfer():
        r = VoiceResponse()
        d = Dial(time_limit=10)
        d.number(AGENT)
        r.append(d)
        r.pause(length=5)
        return str(r), 200, {"Content-Type": "text/xml"}

    return web


def wav(tmp_path, name, hz):
    path = tmp_path / name
    sf.write(path, tone(hz, 60.0), RATE, subtype="PCM_16")
    return str(path)


def heard(emu, sid):
    x, rate = sf.read(io.BytesIO(emu.call_audio(sid)), dtype="int16")
    assert rate == RATE
    return x


def test_bridged_calls_hear_each_other_and_not_themselves(emu, tmp_path):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url="http://app.test/transfer")
    emu.phone(AGENT, audio=wav(tmp_path, "agent.wav", 700), answer_after=2)
    caller = emu.call("+15559990000", SUPPORT, audio=wav(tmp_path, "caller.wav", 440))
    emu.advance(30)
    agent = emu.client.calls.list(parent_call_sid=caller)[0]
    assert emu.client.calls(caller).fetch().status == "completed"

    a, b = heard(emu, caller), heard(emu, agent.sid)
    # The agent answered ~3 s after the caller; the bridge lasted the 10 s timeLimit.
    start = int(round((agent.start_time - emu.client.calls(caller).fetch().start_time)
                      .total_seconds())) + 3
    bridged = a[start * RATE:(start + 9) * RATE]
    assert band_rms(bridged, 700) > 1000          # the caller hears the agent
    assert band_rms(bridged, 440) < 1             # never itself
    assert band_rms(a[(start + 11) * RATE:], 700) < 1   # nothing after the bridge ended
    assert band_rms(b[RATE:9 * RATE], 440) > 1000       # the agent hears the caller
    assert band_rms(b, 700) < 1


def test_bridge_audio_is_the_same_twice(tmp_path):
    from twilio_conf_emulator import Emulator

    outs = []
    for _ in range(2):
        emu = Emulator()
        emu.deliver_webhooks_to(app())
        emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                                 voice_url="http://app.test/transfer")
        emu.phone(AGENT, audio=wav(tmp_path, "agent.wav", 700))
        caller = emu.call("+15559990000", SUPPORT, audio=wav(tmp_path, "caller.wav", 440))
        emu.advance(30)
        outs.append(emu.call_audio(caller))
    assert outs[0] == outs[1] and np.any(sf.read(io.BytesIO(outs[0]), dtype="int16")[0])
