"""A recording whose audio cannot be rendered (a virtual party's file vanished) ends
``absent`` with code 16100, its callback and an error alert, never ``processing`` forever;
the call's audio is a Twilio-shaped 422, never a 500.  Issue 9."""

import soundfile as sf
from audio_helpers import RATE, ok_app, tone

CALLER = "+15550000000"
FIRST, SECOND = "+15553200001", "+15553200002"
HOOK = "http://app.test/rec"


def phones(emu, tmp_path):
    emu.deliver_webhooks_to(ok_app)
    paths = []
    for number, hz in ((FIRST, 440), (SECOND, 700)):
        path = tmp_path / f"{hz}.wav"
        sf.write(path, tone(hz, 1.0), RATE, subtype="PCM_16")
        emu.phone(number, audio=str(path), loop=True)
        paths.append(path)
    return paths


def test_call_recording_whose_audio_vanished_ends_absent_with_callback_and_alert(emu, tmp_path):
    first, _ = phones(emu, tmp_path)
    client = emu.client
    call = client.calls.create(to=FIRST, from_=CALLER, record=True,
                               recording_status_callback=HOOK,
                               twiml="<Response><Pause length=\"5\"/></Response>")
    emu.advance(3)
    first.unlink()                                    # the caller's audio is gone
    emu.advance(10)
    (rec,) = client.recordings.list(call_sid=call.sid)
    assert (rec.status, rec.error_code, rec.duration) == ("absent", 16100, "0")
    p = dict(emu.webhooks.all(kind="recording-status")[-1]["params"])
    assert (p["RecordingStatus"], p["ErrorCode"], p["RecordingSid"]) == ("absent", "16100",
                                                                         rec.sid)
    alert = [a for a in emu.alerts() if a["code"] == 16100]
    assert len(alert) == 1 and alert[0]["level"] == "error"
    assert "cannot read audio file" in alert[0]["message"]
    resp = emu.app.test_client().get(f"/_emulator/calls/{call.sid}/audio.wav")
    assert resp.status_code == 422
    body = resp.get_json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (16100, 422)
    assert "cannot be rendered" in body["message"]


def test_conference_recording_whose_audio_vanished_ends_absent(emu, tmp_path):
    first, _ = phones(emu, tmp_path)
    client = emu.client
    a = client.conferences("Gone").participants.create(
        from_=CALLER, to=FIRST, conference_record="record-from-start",
        conference_recording_status_callback=HOOK)
    client.conferences(a.conference_sid).participants.create(from_=CALLER, to=SECOND)
    emu.advance(5)
    first.unlink()
    client.conferences(a.conference_sid).update(status="completed")
    emu.advance(1)
    (rec,) = client.conferences(a.conference_sid).recordings.list()
    assert (rec.status, rec.error_code) == ("absent", 16100)
    hooks = [dict(w["params"]) for w in emu.webhooks.all(kind="recording-status")]
    assert hooks[-1]["RecordingStatus"] == "absent" and hooks[-1]["ErrorCode"] == "16100"
    assert [x["code"] for x in emu.alerts() if x["code"] == 16100] == [16100]
