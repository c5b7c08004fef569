"""The deprecated ``eventCallbackUrl``: ``conference-record-end`` when a conference recording is
ready, and only when no ``recordingStatusCallback`` was given (TwiML <Conference> docs)."""

from flask import Flask, request
from twilio.twiml.voice_response import Dial, VoiceResponse

NUMBER = "+15550800000"


def app():
    web = Flask(__name__)

    @web.post("/join")
    def join():
        r = VoiceResponse()
        d = Dial()
        kw = {"record": "record-from-start", "event_callback_url": "/events",
              "end_conference_on_exit": True}
        if request.args.get("rsc"):
            kw["recording_status_callback"] = "/recording"
        d.conference("Recorded", **kw)
        r.append(d)
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/events")
    @web.post("/recording")
    def sink():
        return ""

    return web


def run(emu, query=""):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/join" + query)
    a = emu.call("+15559990001", NUMBER, audio={"kind": "tone", "hz": 440, "seconds": 60})
    emu.call("+15559990002", NUMBER, audio={"kind": "tone", "hz": 700, "seconds": 60})
    emu.advance(20)
    emu.hangup(a)
    emu.advance(2)


def test_conference_record_end_goes_to_the_event_callback_url(emu):
    run(emu)
    sent = emu.webhooks.params(kind="event-callback")
    assert len(sent) == 1
    event = sent[0]
    rec = emu.client.recordings.list()[0]
    assert event["EventName"] == "conference-record-end"
    assert event["ConferenceSid"] == rec.conference_sid
    assert event["RecordingUrl"].endswith(f"/Recordings/{rec.sid}")
    assert event["Duration"] == rec.duration
    assert int(event["RecordingFileSize"]) > 44
    assert emu.webhooks.all(kind="event-callback")[0]["url"] == "http://app.test/events"


def test_no_conference_record_end_when_a_recording_status_callback_is_set(emu):
    run(emu, "?rsc=1")
    assert emu.webhooks.all(kind="event-callback") == []
    assert [p["RecordingStatus"] for p in emu.webhooks.params(kind="recording-status")] == [
        "completed"]
