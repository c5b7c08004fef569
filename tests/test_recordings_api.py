"""Conference and call recordings through twilio-python and HTTP: when they start, what they
hold, how long they last, pause/resume/stop, media downloads, status callbacks, errors.
Issue 5, Done when 4.
"""

import base64
import io

import numpy as np
import pytest
import soundfile as sf
from audio_helpers import RATE, ok_app, tone
from twilio.base.exceptions import TwilioRestException

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media.analysis import band_fraction, band_rms

CALLER = "+15550000000"
FIRST, SECOND = "+15553000001", "+15553000002"
REC_HOOK = "http://app.test/recording"


@pytest.fixture(autouse=True)
def _in_process_webhooks(request):
    if "emu" in request.fixturenames:
        request.getfixturevalue("emu").deliver_webhooks_to(ok_app)


@pytest.fixture
def phones(emu, tmp_path):
    for number, hz in ((FIRST, 440), (SECOND, 700)):
        path = tmp_path / f"{hz}.wav"
        sf.write(path, tone(hz, 1.0), RATE, subtype="PCM_16")
        emu.phone(number, audio=str(path), loop=True)
    return emu


def auth(emu):
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def media_path(emu, sid, ext=""):
    return f"/2010-04-01/Accounts/{emu.account_sid}/Recordings/{sid}{ext}"


def recorded_conference(emu, *, wait=5.0, talk=20.0, **first):
    """FIRST joins and waits (wait music) ``wait`` s; SECOND answers: both are bridged and
    the recording starts; ``talk`` s later the conference ends via the API."""
    client = emu.client
    opts = dict(conference_record="record-from-start", jitter_buffer_size="off")
    opts.update(first)
    a = client.conferences("Rec").participants.create(from_=CALLER, to=FIRST, **opts)
    emu.advance(wait)
    client.conferences(a.conference_sid).participants.create(from_=CALLER, to=SECOND,
                                                             jitter_buffer_size="off")
    emu.advance(2)                                   # SECOND answers: conference starts
    return client, a


def finish(emu, client, conf_sid, after):
    emu.advance(after)
    client.conferences(conf_sid).update(status="completed")
    emu.advance(0)


def test_recording_starts_when_bridged_excludes_wait_music_and_lasts_the_virtual_time(phones):
    emu = phones
    client, a = recorded_conference(emu)
    started = emu.now()                              # t0 + 9: FIRST answered at +2, waited
    recs = client.conferences(a.conference_sid).recordings.list()
    assert [r.status for r in recs] == ["in-progress"]
    assert recs[0].start_time.timestamp() == started
    assert recs[0].source == "Conference" and recs[0].channels == 1 and recs[0].call_sid is None
    finish(emu, client, a.conference_sid, 20)
    rec = client.conferences(a.conference_sid).recordings(recs[0].sid).fetch()
    assert rec.status == "completed" and rec.duration == "20"
    web = emu.app.test_client()
    resp = web.get(media_path(emu, rec.sid, ".wav"), headers=auth(emu))
    assert resp.status_code == 200 and resp.mimetype == "audio/x-wav"
    x, rate = sf.read(io.BytesIO(resp.data), dtype="int16")
    info = sf.info(io.BytesIO(resp.data))
    assert (rate, info.channels, info.subtype) == (8000, 1, "PCM_16")
    assert len(x) == 20 * RATE                       # exactly the virtual seconds bridged
    # Only the two voices (and the start beep): no wait music, which FIRST heard before.
    body = x[RATE:]
    assert band_fraction(body, 440) + band_fraction(body, 700) > 0.99
    heard = sf.read(io.BytesIO(emu.call_audio(a.call_sid)), dtype="int16")[0]
    waiting = heard[: 6 * RATE]                      # FIRST's first 6 s: the wait music
    assert band_fraction(waiting, 440) + band_fraction(waiting, 700) < 0.2
    # No extension = .wav; .mp3 is MPEG and decodes to the same length.
    plain = web.get(media_path(emu, rec.sid), headers=auth(emu))
    assert plain.data == resp.data and plain.mimetype == "audio/x-wav"
    mp3 = web.get(media_path(emu, rec.sid, ".mp3"), headers=auth(emu))
    assert mp3.status_code == 200 and mp3.mimetype == "audio/mpeg"
    y, rate = sf.read(io.BytesIO(mp3.data), dtype="int16")
    assert rate == 8000 and abs(len(y) - len(x)) < 0.2 * RATE
    assert band_rms(y, 440) > 1000 and band_rms(y, 700) > 1000
    meta = web.get(media_path(emu, rec.sid, ".json"), headers=auth(emu)).get_json()
    assert meta["sid"] == rec.sid and meta["duration"] == "20" and meta["status"] == "completed"
    assert meta["conference_sid"] == a.conference_sid


@pytest.mark.parametrize("behaviour, expected", [("skip", 15), ("silence", 20)])
def test_pause_skip_shortens_the_recording_and_silence_does_not(phones, behaviour, expected):
    emu = phones
    client, a = recorded_conference(emu)
    emu.advance(5)
    r = client.conferences(a.conference_sid).recordings("Twilio.CURRENT").update(
        status="paused", pause_behavior=behaviour)
    assert r.status == "paused"
    emu.advance(5)
    r = client.conferences(a.conference_sid).recordings(r.sid).update(status="in-progress")
    assert r.status == "in-progress"
    finish(emu, client, a.conference_sid, 10)
    rec = client.recordings(r.sid).fetch()
    assert rec.duration == str(expected)
    x = sf.read(io.BytesIO(emu.recording_audio(r.sid)), dtype="int16")[0]
    assert len(x) == expected * RATE
    if behaviour == "silence":                     # the paused 5 s are there, silent
        assert not x[5 * RATE:10 * RATE].any() and x[4 * RATE:5 * RATE].any()
    else:                                          # nothing of them: sound throughout
        assert all(x[i * RATE:(i + 1) * RATE].any() for i in range(expected))


def test_stop_completes_the_recording_and_a_completed_one_cannot_be_updated(phones):
    emu = phones
    client, a = recorded_conference(emu)
    emu.advance(6)
    r = client.conferences(a.conference_sid).recordings("Twilio.CURRENT").update(status="stopped")
    assert r.status == "stopped"
    emu.advance(0)
    r = client.conferences(a.conference_sid).recordings(r.sid).fetch()
    assert (r.status, r.duration) == ("completed", "6")
    with pytest.raises(TwilioRestException) as err:
        client.conferences(a.conference_sid).recordings(r.sid).update(status="paused")
    assert (err.value.status, err.value.code) == (400, 21220)
    with pytest.raises(TwilioRestException) as err:             # no active recording now
        client.conferences(a.conference_sid).recordings("Twilio.CURRENT").update(status="paused")
    assert err.value.status == 404
    missing = emu.app.test_client().post(                        # Status is required
        f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/{a.conference_sid}/Recordings/"
        f"{r.sid}.json", data={"PauseBehavior": "skip"}, headers=auth(emu))
    assert (missing.status_code, missing.get_json()["code"]) == (400, 20001)
    finish(emu, client, a.conference_sid, 1)
    assert len(client.conferences(a.conference_sid).recordings.list()) == 1


def test_recording_status_callbacks_in_progress_completed_and_absent(phones):
    emu = phones
    client, a = recorded_conference(
        emu, conference_recording_status_callback=REC_HOOK,
        conference_recording_status_callback_event=["in-progress", "completed", "absent"])
    rec = client.conferences(a.conference_sid).recordings.list()[0]
    finish(emu, client, a.conference_sid, 7)
    sent = emu.webhooks.all(kind="recording-status")
    assert [dict(e["params"])["RecordingStatus"] for e in sent] == ["in-progress", "completed"]
    p = dict(sent[1]["params"])
    assert [k for k, _ in sent[1]["params"]] == [
        "AccountSid", "ConferenceSid", "RecordingSid", "RecordingUrl", "RecordingStatus",
        "RecordingDuration", "RecordingChannels", "RecordingStartTime", "RecordingSource"]
    assert p["RecordingUrl"] == ("https://api.twilio.com/2010-04-01/Accounts/"
                                 f"{emu.account_sid}/Recordings/{rec.sid}")
    assert (p["RecordingDuration"], p["RecordingChannels"], p["RecordingSource"]) == (
        "7", "1", "Conference")
    assert p["RecordingStartTime"] == rec.start_time.strftime("%a, %d %b %Y %H:%M:%S +0000")
    assert sent[0]["time"] == rec.start_time.timestamp()
    assert sent[1]["conference_sid"] == a.conference_sid

    # Stopped the instant it started: nothing recorded -> absent, 16101.
    b = client.conferences("Empty").participants.create(
        from_=CALLER, to=FIRST, conference_record="record-from-start",
        conference_recording_status_callback=REC_HOOK,
        conference_recording_status_callback_event=["absent"])
    client.conferences(b.conference_sid).participants.create(from_=CALLER, to=SECOND)
    emu.advance(2)
    client.conferences(b.conference_sid).recordings("Twilio.CURRENT").update(status="stopped")
    emu.advance(0)
    absent = emu.webhooks.all(kind="recording-status")[-1]
    p = dict(absent["params"])
    assert (p["RecordingStatus"], p["ErrorCode"], p["RecordingDuration"]) == ("absent", "16101", "0")
    r = client.recordings(p["RecordingSid"]).fetch()
    assert (r.status, r.error_code) == ("absent", 16101)
    assert emu.app.test_client().get(media_path(emu, r.sid), headers=auth(emu)).status_code == 404


def test_dual_channel_download_and_the_16113_warning_for_mono(phones):
    emu = phones
    client, a = recorded_conference(emu, recording_channels="dual")
    finish(emu, client, a.conference_sid, 6)
    rec = client.conferences(a.conference_sid).recordings.list()[0]
    assert rec.channels == 2
    web = emu.app.test_client()
    mono = sf.read(io.BytesIO(web.get(media_path(emu, rec.sid), headers=auth(emu)).data),
                   dtype="int16")[0]
    assert mono.ndim == 1                           # Twilio serves mono unless asked
    dual = sf.read(io.BytesIO(web.get(media_path(emu, rec.sid) + "?RequestedChannels=2",
                                      headers=auth(emu)).data), dtype="int16")[0]
    assert dual.shape == (len(mono), 2)
    assert np.array_equal(mono, dual.astype(np.int32).sum(axis=1))  # mono = the two summed
    body = slice(RATE, 5 * RATE)
    # Channel 1 = the first participant to join (440 Hz), channel 2 = everyone else.
    assert band_rms(dual[body, 0], 440) > 3000 and band_rms(dual[body, 0], 700) < 1
    assert band_rms(dual[body, 1], 700) > 3000 and band_rms(dual[body, 1], 440) < 1

    client2, b = recorded_conference(emu)            # a mono recording
    finish(emu, client2, b.conference_sid, 3)
    mono_rec = client2.conferences(b.conference_sid).recordings.list()[0]
    resp = web.get(media_path(emu, mono_rec.sid, ".wav") + "?RequestedChannels=2",
                   headers=auth(emu))
    assert resp.status_code == 200 and sf.info(io.BytesIO(resp.data)).channels == 1
    assert [al["code"] for al in emu.alerts()] == [16113]
    assert emu.alerts()[0]["level"] == "warning"


def test_lists_filters_fetch_and_delete(phones):
    emu = phones
    client, a = recorded_conference(emu)
    finish(emu, client, a.conference_sid, 4)
    rec = client.conferences(a.conference_sid).recordings.list()[0]
    assert [r.sid for r in client.conferences(a.conference_sid).recordings.list(
        date_created="2026-01-01")] == [rec.sid]
    assert client.conferences(a.conference_sid).recordings.list(date_created_before="2025-12-31") == []
    assert [r.sid for r in client.recordings.list(conference_sid=a.conference_sid)] == [rec.sid]
    assert client.recordings.list(call_sid=a.call_sid) == []
    acct = client.recordings(rec.sid).fetch()
    assert acct.media_url.endswith(f"/Recordings/{rec.sid}")
    assert client.conferences(a.conference_sid).recordings(rec.sid).delete() is True
    with pytest.raises(TwilioRestException) as err:
        client.recordings(rec.sid).fetch()
    assert err.value.status == 404
    assert client.recordings.list() == []
    web = emu.app.test_client()
    deleted = web.get(f"/2010-04-01/Accounts/{emu.account_sid}/Recordings.json"
                      "?IncludeSoftDeleted=true", headers=auth(emu)).get_json()
    assert [(r["sid"], r["status"]) for r in deleted["recordings"]] == [(rec.sid, "deleted")]
    assert web.get(media_path(emu, rec.sid), headers=auth(emu)).status_code == 404


def test_live_recording_cannot_be_deleted_and_other_conferences_do_not_see_it(phones):
    emu = phones
    client, a = recorded_conference(emu)
    rec = client.conferences(a.conference_sid).recordings.list()[0]
    with pytest.raises(TwilioRestException) as err:
        client.recordings(rec.sid).delete()
    assert (err.value.status, err.value.code) == (400, 21220)
    other = client.conferences("Other").participants.create(from_=CALLER, to="+15553000009")
    emu.advance(3)
    with pytest.raises(TwilioRestException) as err:
        client.conferences(other.conference_sid).recordings(rec.sid).fetch()
    assert err.value.status == 404


def test_media_needs_auth_unless_configured_otherwise(phones):
    emu = phones
    client, a = recorded_conference(emu)
    finish(emu, client, a.conference_sid, 3)
    sid = client.conferences(a.conference_sid).recordings.list()[0].sid
    web = emu.app.test_client()
    assert web.get(media_path(emu, sid, ".wav")).status_code == 401
    assert web.get(media_path(emu, sid, ".json")).status_code == 401
    emu.config.recording_media_requires_auth = False
    assert web.get(media_path(emu, sid, ".wav")).status_code == 200
    assert web.get(media_path(emu, sid, ".mp3")).status_code == 200
    assert web.get(media_path(emu, sid, ".json")).status_code == 401   # metadata still needs it
    assert web.get(media_path(emu, sid, ".txt"), headers=auth(emu)).status_code == 404


def test_participant_record_true_is_a_call_recording_of_what_it_said_and_heard(phones):
    emu = phones
    client = emu.client
    a = client.conferences("Leg").participants.create(
        from_=CALLER, to=FIRST, record=True, recording_status_callback=REC_HOOK,
        jitter_buffer_size="off")
    client.conferences(a.conference_sid).participants.create(from_=CALLER, to=SECOND,
                                                             jitter_buffer_size="off")
    emu.advance(8)
    client.conferences(a.conference_sid).participants(a.call_sid).delete()
    emu.advance(1)
    assert client.conferences(a.conference_sid).recordings.list() == []  # not a conference one
    recs = client.recordings.list(call_sid=a.call_sid)
    assert len(recs) == 1
    rec = recs[0]
    assert (rec.source, rec.call_sid, rec.conference_sid, rec.status, rec.duration) == (
        "OutboundAPI", a.call_sid, None, "completed", "6")
    x = sf.read(io.BytesIO(emu.recording_audio(rec.sid)), dtype="int16")[0]
    assert band_rms(x[RATE:], 440) > 3000 and band_rms(x[RATE:], 700) > 3000  # said + heard
    p = dict(emu.webhooks.all(kind="recording-status")[-1]["params"])
    assert (p["CallSid"], p["RecordingStatus"], p["RecordingSource"], p["RecordingTrack"]) == (
        a.call_sid, "completed", "OutboundAPI", "both")
    assert "ConferenceSid" not in p


def test_recording_bytes_are_deterministic_and_match_the_stored_wav(tmp_path):
    def run():
        emu = Emulator(config=EmulatorConfig(strict_actions=True))
        emu.deliver_webhooks_to(ok_app)
        try:
            for number, hz in ((FIRST, 440), (SECOND, 700)):
                path = tmp_path / f"{hz}.wav"
                sf.write(path, tone(hz, 1.3), RATE, subtype="PCM_16")
                emu.phone(number, audio=str(path), loop=True)
            client, a = recorded_conference(emu, recording_channels="dual")
            emu.advance(3)
            client.conferences(a.conference_sid).recordings("Twilio.CURRENT").update(
                status="paused", pause_behavior="skip")
            emu.advance(2)
            client.conferences(a.conference_sid).recordings("Twilio.CURRENT").update(
                status="in-progress")
            finish(emu, client, a.conference_sid, 4)
            sid = client.conferences(a.conference_sid).recordings.list()[0].sid
            return [emu.recording_audio(sid), emu.recording_audio(sid, channels=2),
                    emu.recording_audio(sid, fmt="mp3")]
        finally:
            emu.stop()

    first, second = run(), run()
    assert first == second
    assert sf.info(io.BytesIO(first[1])).channels == 2


@pytest.mark.parametrize("after_trim, duration", [(True, "3"), (False, "10")])
def test_trim_silence_cuts_the_silent_tail_and_the_duration_follows_the_file(
        emu, tmp_path, after_trim, duration):
    emu.config.recording_duration_after_trim = after_trim
    path = tmp_path / "three.wav"
    sf.write(path, tone(440, 3.0), RATE, subtype="PCM_16")           # played once
    emu.phone(FIRST, audio=str(path))
    emu.phone(SECOND)                                                 # silent
    client = emu.client
    a = client.conferences("Trim").participants.create(
        from_=CALLER, to=FIRST, conference_record="record-from-start", jitter_buffer_size="off")
    client.conferences("Trim").participants.create(from_=CALLER, to=SECOND)
    emu.advance(2)                                                    # both answer: bridged
    finish(emu, client, a.conference_sid, 10)
    rec = client.conferences(a.conference_sid).recordings.list()[0]
    x = sf.read(io.BytesIO(emu.recording_audio(rec.sid)), dtype="int16")[0]
    assert len(x) == 3 * RATE                                         # the 7 s of silence: gone
    assert rec.duration == duration


def test_twiml_conference_record_and_recording_status_callback(phones):
    emu = phones
    twiml = ('<Response><Dial><Conference record="record-from-start" '
             f'recordingStatusCallback="{REC_HOOK}" recordingStatusCallbackMethod="GET" '
             'recordingStatusCallbackEvent="in-progress completed">Twiml Room</Conference>'
             '</Dial></Response>')
    first = emu.client.calls.create(to=FIRST, from_=CALLER, twiml=twiml)
    second = emu.client.calls.create(to=SECOND, from_=CALLER, twiml=twiml)
    emu.advance(8)
    emu.client.calls(first.sid).update(status="completed")
    emu.client.calls(second.sid).update(status="completed")  # the last one out ends it
    emu.advance(1)
    sent = emu.webhooks.all(kind="recording-status")
    assert [(e["method"], dict(e["params"])["RecordingStatus"]) for e in sent] == [
        ("GET", "in-progress"), ("GET", "completed")]
    p = dict(sent[-1]["params"])
    assert p["RecordingSource"] == "Conference" and int(p["RecordingDuration"]) >= 5
    x = sf.read(io.BytesIO(emu.recording_audio(p["RecordingSid"])), dtype="int16")[0]
    assert band_rms(x[RATE:], 440) > 1000 and band_rms(x[RATE:], 700) > 1000
