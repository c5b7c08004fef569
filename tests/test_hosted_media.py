"""Twilio-hosted media (twimlets hold music, its S3 MP3s, demo.twilio.com sounds) plays as
generated music with no request at all; ``hosted_media_offline=False`` fetches it like any URL."""

import io

import numpy as np
import soundfile as sf
from flask import Flask

B = "+15550000002"
TWIMLETS = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.ambient"


def _conference(wait_url):
    attr = "" if wait_url is None else f' waitUrl="{wait_url}"'
    return f"<Response><Dial><Conference{attr}>Room</Conference></Dial></Response>"


def _heard(emu, twiml, seconds=20):
    emu.phone(B, answer_after=1)
    call = emu.client.calls.create(to=B, from_="+15550000001", twiml=twiml)
    emu.advance(seconds)
    emu.client.calls(call.sid).update(status="completed")
    emu.advance(0)
    samples, _ = sf.read(io.BytesIO(emu.call_audio(call.sid)), dtype="int16")
    return call.sid, samples


def test_twimlets_hold_music_is_generated_offline(emu):
    _, default = _heard(emu, _conference(None))
    emu.reset()
    sid, heard = _heard(emu, _conference(TWIMLETS))
    assert np.sqrt(np.mean(heard.astype(float) ** 2)) > 300  # music, not silence
    assert np.array_equal(heard, default)  # the same generated music as the default wait
    assert emu.webhooks.all(kind="wait-url") == []  # no request at all
    assert emu.alerts() == []


def test_each_music_bucket_and_s3_mp3_is_hosted(emu):
    from twilio_conf_emulator.engine.hosted_media import hosted_ref

    cfg = emu.config
    for bucket in ("classical", "ambient", "electronica", "guitars", "rock", "soft-rock"):
        assert hosted_ref(cfg, f"http://twimlets.com/holdmusic?Bucket=com.twilio.music.{bucket}")
    assert hosted_ref(cfg, "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3")
    assert hosted_ref(cfg, "https://demo.twilio.com/docs/classic.mp3")
    assert hosted_ref(cfg, "http://twimlets.com/holdmusic?Bucket=my-own-bucket") is None
    assert hosted_ref(cfg, "http://app.test/music.mp3") is None


def test_play_of_a_demo_twilio_sound_plays_once_then_the_next_verb(emu):
    twiml = ("<Response><Play>http://demo.twilio.com/docs/classic.mp3</Play>"
             "<Say>After the music.</Say></Response>")
    sid, heard = _heard(emu, twiml, seconds=33)
    from twilio_conf_emulator.store.models import MediaEventRow

    with emu.engine.transaction() as db:
        plays = [(r.t, r.data["audio"]) for r in db.query(MediaEventRow).filter(
            MediaEventRow.call_sid == sid, MediaEventRow.kind == "call-play")
            .order_by(MediaEventRow.id)]
    assert [a["kind"] for _, a in plays] == ["hold-music", "say"]
    assert plays[1][0] - plays[0][0] == 30.0  # one pass of the 30 s generated loop
    assert np.sqrt(np.mean(heard[8000:8000 * 25].astype(float) ** 2)) > 300
    assert emu.webhooks.all(kind="play-media") == []


def test_offline_hosting_can_be_turned_off(emu):
    emu.config.update(hosted_media_offline=False)
    twimlets = Flask("twimlets")

    @twimlets.route("/holdmusic", methods=["GET", "POST"])
    def holdmusic():
        return "<Response><Pause length='60'/></Response>", 200, {"Content-Type": "text/xml"}

    emu.deliver_webhooks_to(twimlets, host="twimlets.com")
    _, heard = _heard(emu, _conference(TWIMLETS))
    [entry] = emu.webhooks.all(kind="wait-url")
    assert entry["url"].startswith("http://twimlets.com/holdmusic") and entry["status"] == 200
    assert np.abs(heard.astype(int)).max() == 0  # the real document's silence


def test_the_quick_start_voice_url_runs_offline(emu):
    emu.phone(B, answer_after=1)
    call = emu.client.calls.create(to=B, from_="+15550000001",
                                   url="http://demo.twilio.com/docs/voice.xml")
    emu.advance(10)
    from twilio_conf_emulator.store.models import MediaEventRow

    with emu.engine.transaction() as db:
        plays = [r.data["audio"] for r in db.query(MediaEventRow).filter(
            MediaEventRow.call_sid == call.sid, MediaEventRow.kind == "call-play")
            .order_by(MediaEventRow.id)]
    assert plays[0]["text"] == "Thanks for trying our documentation. Enjoy!"
    assert [p["kind"] for p in plays] == ["say", "hold-music"]
    assert emu.webhooks.all(kind="voice") == [] and emu.alerts() == []
    emu.advance(40)
    assert emu.client.calls(call.sid).fetch().status == "completed"
