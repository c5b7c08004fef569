"""Call recordings through twilio-python: /Calls/{CallSid}/Recordings list, create (record a
live call from now), fetch, update (pause / resume / stop, Twilio.CURRENT), delete; what the
file holds (RecordingTrack, pause behaviours); errors.  Issue 9, missing resources."""

import io

import pytest
import soundfile as sf
from audio_helpers import RATE, ok_app, tone
from twilio.base.exceptions import TwilioRestException

from twilio_conf_emulator.media.analysis import band_rms

CALLER = "+15550000000"
FIRST, SECOND = "+15553100001", "+15553100002"
REC_HOOK = "http://app.test/call-recording"


@pytest.fixture
def bridged(emu, tmp_path):
    """FIRST (says 440 Hz) and SECOND (says 700 Hz) talk in a conference; returns
    (client, FIRST's participant)."""
    emu.deliver_webhooks_to(ok_app)
    for number, hz in ((FIRST, 440), (SECOND, 700)):
        path = tmp_path / f"{hz}.wav"
        sf.write(path, tone(hz, 1.0), RATE, subtype="PCM_16")
        emu.phone(number, audio=str(path), loop=True)
    client = emu.client
    a = client.conferences("CR").participants.create(from_=CALLER, to=FIRST,
                                                     jitter_buffer_size="off")
    client.conferences(a.conference_sid).participants.create(from_=CALLER, to=SECOND,
                                                             jitter_buffer_size="off")
    emu.advance(3)
    return client, a


def audio(emu, sid):
    return sf.read(io.BytesIO(emu.recording_audio(sid)), dtype="int16")[0]


def test_create_fetch_pause_resume_stop_delete(emu, bridged):
    client, a = bridged
    recs = client.calls(a.call_sid).recordings
    rec = recs.create(recording_status_callback=REC_HOOK,
                      recording_status_callback_event=["in-progress", "completed"])
    assert (rec.status, rec.source, rec.call_sid, rec.conference_sid, rec.track) == (
        "in-progress", "StartCallRecordingAPI", a.call_sid, None, "both")
    assert rec.uri.endswith(f"/Calls/{a.call_sid}/Recordings/{rec.sid}.json")
    assert recs("Twilio.CURRENT").fetch().sid == rec.sid
    assert [r.sid for r in recs.list()] == [rec.sid]
    assert [r.sid for r in client.recordings.list(call_sid=a.call_sid)] == [rec.sid]
    emu.advance(4)
    assert recs("Twilio.CURRENT").update(status="paused", pause_behavior="skip").status == \
        "paused"
    emu.advance(10)
    assert recs(rec.sid).update(status="in-progress").status == "in-progress"
    emu.advance(4)
    assert recs("Twilio.CURRENT").update(status="stopped").status == "stopped"
    emu.advance(0)
    done = recs(rec.sid).fetch()
    assert (done.status, done.duration) == ("completed", "8")   # the skipped 10 s cut out
    assert abs(len(audio(emu, rec.sid)) - 8 * RATE) <= RATE // 50
    hooks = [dict(w["params"]) for w in emu.webhooks.all(kind="recording-status")]
    assert [(h["RecordingStatus"], h["RecordingSource"], h["RecordingTrack"]) for h in hooks] \
        == [("in-progress", "StartCallRecordingAPI", "both"),
            ("completed", "StartCallRecordingAPI", "both")]
    with pytest.raises(TwilioRestException) as err:
        recs("Twilio.CURRENT").fetch()                  # nothing live any more
    assert err.value.status == 404
    assert recs(rec.sid).delete() is True
    assert recs.list() == [] and client.recordings.list(call_sid=a.call_sid) == []


def test_recording_track_inbound_is_what_the_call_said_outbound_what_it_heard(emu, bridged):
    client, a = bridged
    recs = client.calls(a.call_sid).recordings
    inbound = recs.create(recording_track="inbound")
    outbound = recs.create(recording_track="outbound")
    both = recs.create()
    emu.advance(6)
    client.calls(a.call_sid).update(status="completed")
    emu.advance(1)
    x_in, x_out, x_both = (audio(emu, r.sid) for r in (inbound, outbound, both))
    assert band_rms(x_in, 440) > 3000 and band_rms(x_in, 700) < 100
    assert band_rms(x_out, 700) > 3000 and band_rms(x_out, 440) < 100
    assert band_rms(x_both, 440) > 3000 and band_rms(x_both, 700) > 3000
    assert recs(inbound.sid).fetch().track == "inbound"


def test_pause_with_silence_keeps_the_time_as_silence(emu, bridged):
    client, a = bridged
    recs = client.calls(a.call_sid).recordings
    rec = recs.create()
    emu.advance(3)
    recs(rec.sid).update(status="paused")                 # PauseBehavior defaults to silence
    emu.advance(3)
    recs(rec.sid).update(status="in-progress")
    emu.advance(3)
    recs(rec.sid).update(status="stopped")
    emu.advance(0)
    x = audio(emu, rec.sid)
    assert abs(len(x) - 9 * RATE) <= RATE // 50
    assert band_rms(x[RATE: 2 * RATE], 440) > 3000
    assert abs(x[int(3.1 * RATE): int(5.9 * RATE)]).max() == 0
    assert band_rms(x[7 * RATE: 8 * RATE], 440) > 3000


def test_record_true_leg_is_listed_at_call_level_too(emu, tmp_path):
    emu.deliver_webhooks_to(ok_app)
    emu.phone(FIRST, answer_after=1)
    client = emu.client
    call = client.calls.create(to=FIRST, from_=CALLER, record=True,
                               twiml="<Response><Pause length=\"5\"/></Response>")
    emu.advance(3)
    live = client.calls(call.sid).recordings.list()
    assert [(r.source, r.status) for r in live] == [("OutboundAPI", "in-progress")]
    assert client.calls(call.sid).recordings("Twilio.CURRENT").fetch().sid == live[0].sid
    assert [r.sid for r in client.recordings.list()] == [live[0].sid]


def test_bad_requests_are_twilio_shaped(emu, bridged):
    client, a = bridged
    with pytest.raises(TwilioRestException) as err:
        client.calls("CA" + "0" * 32).recordings.create()
    assert (err.value.status, err.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as err:
        client.calls(a.call_sid).recordings.create(recording_track="sideways")
    assert err.value.status == 400
    rec = client.calls(a.call_sid).recordings.create()
    with pytest.raises(TwilioRestException) as err:
        client.calls(a.call_sid).recordings(rec.sid).delete()          # still live
    assert (err.value.status, err.value.code) == (400, 21220)
    client.calls(a.call_sid).update(status="completed")
    emu.advance(1)
    with pytest.raises(TwilioRestException) as err:
        client.calls(a.call_sid).recordings.create()                   # call is over
    assert (err.value.status, err.value.code) == (400, 21220)
    with pytest.raises(TwilioRestException) as err:
        client.calls(a.call_sid).recordings(rec.sid).update(status="paused")
    assert (err.value.status, err.value.code) == (400, 21220)
