"""<Dial record> on a <Dial><Number> bridge: every value (do-not-record, record-from-answer,
record-from-ringing, and the -dual ones) with recordingStatusCallback; the recording is the
parent call's (source DialVerb), listed under the call.  Issue 9."""

import io

import pytest
import soundfile as sf
from audio_helpers import RATE, tone
from flask import Flask, request
from twilio.twiml.voice_response import Dial, VoiceResponse

from twilio_conf_emulator.media.analysis import band_rms

SUPPORT, AGENT = "+15550610000", "+15550610001"
HOOK = "http://app.test/dial-rec"


def app():
    web = Flask(__name__)

    @web.post("/in")
    def inbound():
        r = VoiceResponse()
        d = Dial(time_limit=10, record=request.args["record"], recording_status_callback=HOOK,
                 recording_status_callback_event="in-progress completed")
        d.number(AGENT)
        r.append(d)
        r.pause(length=5)
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/dial-rec")
    def hook():
        return "", 204

    return web


def run(emu, tmp_path, record):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url=f"http://app.test/in?record={record}")
    for name, hz in (("agent", 700), ("caller", 440)):
        sf.write(tmp_path / f"{name}.wav", tone(hz, 60.0), RATE, subtype="PCM_16")
    emu.phone(AGENT, audio=str(tmp_path / "agent.wav"), answer_after=3)
    caller = emu.call("+15559990000", SUPPORT, audio=str(tmp_path / "caller.wav"))
    emu.advance(30)
    return caller


@pytest.mark.parametrize("record, seconds, channels", [
    ("record-from-answer", 10, 1), ("record-from-ringing", 13, 1),
    ("record-from-answer-dual", 10, 2), ("record-from-ringing-dual", 13, 2)])
def test_dial_record_values(emu, tmp_path, record, seconds, channels):
    caller = run(emu, tmp_path, record)
    (rec,) = emu.client.calls(caller).recordings.list()
    assert (rec.source, rec.call_sid, rec.status, rec.channels) == (
        "DialVerb", caller, "completed", channels)
    assert abs(int(rec.duration) - seconds) <= 1
    x = sf.read(io.BytesIO(emu.recording_audio(rec.sid, channels=channels)), dtype="int16")[0]
    if channels == 2:
        assert band_rms(x[:, 0], 440) > 1000 and band_rms(x[:, 0], 700) < 100   # caller side
        assert band_rms(x[:, 1], 700) > 1000 and band_rms(x[:, 1], 440) < 100   # agent side
    else:
        assert band_rms(x, 440) > 1000 and band_rms(x, 700) > 1000
    hooks = [dict(w["params"]) for w in emu.webhooks.all(kind="recording-status")]
    assert [(h["RecordingStatus"], h["RecordingSource"], h["CallSid"]) for h in hooks] == [
        ("in-progress", "DialVerb", caller), ("completed", "DialVerb", caller)]
    assert all(w["url"] == HOOK for w in emu.webhooks.all(kind="recording-status"))
    assert not [a for a in emu.alerts() if a["code"] == 12200]


def test_do_not_record_records_nothing(emu, tmp_path):
    caller = run(emu, tmp_path, "do-not-record")
    assert emu.client.calls(caller).recordings.list() == []
    assert emu.webhooks.all(kind="recording-status") == []
