"""<Play> of something that is not audio: 13420 on that request's journal entry and in the
alerts, whether the Play is in a call's TwiML or in a hold document; the call carries on."""

from flask import Flask
from twilio.twiml.voice_response import VoiceResponse

NUMBER = "+15550900000"


def app():
    web = Flask(__name__)

    @web.post("/voice")
    def voice():
        r = VoiceResponse()
        r.play("http://app.test/not-audio.txt")
        r.say("Still here.")
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.get("/not-audio.txt")
    def not_audio():
        return "hello", 200, {"Content-Type": "text/plain"}

    @web.get("/hold")
    def hold():
        r = VoiceResponse()
        r.play("http://app.test/not-audio.txt")
        return str(r), 200, {"Content-Type": "text/xml"}

    @web.post("/remote-file")
    def remote_file():
        r = VoiceResponse()
        r.play("file://elsewhere.example/music.wav")
        r.say("Still here.")
        return str(r), 200, {"Content-Type": "text/xml"}

    return web


def says(emu, sid):
    from twilio_conf_emulator.store.models import MediaEventRow

    with emu.engine.transaction() as db:
        rows = db.query(MediaEventRow).filter(MediaEventRow.call_sid == sid,
                                              MediaEventRow.kind == "call-play")
        return [r.data["audio"].get("text") for r in rows.order_by(MediaEventRow.id)]


def test_play_of_a_non_audio_answer_is_13420_and_the_next_verb_runs(emu):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/voice")
    sid = emu.call("+15559990000", NUMBER)
    emu.advance(10)
    fetch = emu.webhooks.all(kind="play-media", call_sid=sid)
    assert len(fetch) == 1 and fetch[0]["status"] == 200 and fetch[0]["error_code"] == 13420
    alerts = [a for a in emu.alerts() if a["code"] == 13420]
    assert len(alerts) == 1 and alerts[0]["call_sid"] == sid
    assert alerts[0]["url"] == "http://app.test/not-audio.txt"
    assert says(emu, sid) == ["Still here."]
    # The voice request itself stays clean: the code is on the entry that failed.
    assert emu.webhooks.all(kind="voice", call_sid=sid)[0]["error_code"] is None


def test_play_of_a_non_audio_answer_in_a_hold_document_is_13420(emu):
    emu.deliver_webhooks_to(app())
    client = emu.client
    a = client.conferences("Hold").participants.create(from_="+15550000000", to="+15551000001")
    client.conferences("Hold").participants.create(from_="+15550000000", to="+15551000002")
    emu.advance(5)
    client.conferences(a.conference_sid).participants(a.call_sid).update(
        hold=True, hold_url="http://app.test/hold")
    emu.advance(2)
    fetch = emu.webhooks.all(kind="play-media", call_sid=a.call_sid)
    assert len(fetch) == 1 and fetch[0]["error_code"] == 13420
    assert [x["code"] for x in emu.alerts()] == [13420]
    assert client.conferences(a.conference_sid).participants(a.call_sid).fetch().hold is True


def test_play_of_a_file_url_on_another_host_is_an_alert_not_a_crash(emu):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/remote-file")
    sid = emu.call("+15559990000", NUMBER)
    emu.advance(10)
    assert [a["code"] for a in emu.alerts()] == [13420]
    assert says(emu, sid) == ["Still here."]
