"""The beep at conference start follows ``beep`` like any join beep: with beep="false" (or
onExit) on the leg that starts the conference nothing is played, heard or recorded."""

import io

import numpy as np
import pytest
import soundfile as sf

A, B = "+15550000001", "+15550000002"
RATE = 8000


def _wav(data):
    x, _ = sf.read(io.BytesIO(data), dtype="int16")
    return x


def _band(x, hz):
    """RMS of ``x`` near ``hz`` (a 20 Hz band of its spectrum)."""
    spec = np.fft.rfft(x.astype(float))
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    sel = np.abs(freqs - hz) < 10
    return float(np.sqrt(2 * np.sum(np.abs(spec[sel]) ** 2)) / len(x))


def _room(emu, first_beep, second_beep, **extra):
    emu.phone(A, answer_after=1)
    emu.phone(B, answer_after=3)  # B starts the conference at t=4
    common = dict(from_="+15550100000", wait_url="", conference_record="record-from-start",
                  **extra)
    a = emu.client.conferences("Room").participants.create(to=A, beep=first_beep, **common)
    b = emu.client.conferences("Room").participants.create(to=B, beep=second_beep, **common)
    emu.advance(8)
    return a, b


@pytest.mark.parametrize("beep", ["false", "onExit"])
def test_no_start_beep_is_heard_or_recorded(emu, beep):
    a, b = _room(emu, beep, beep)
    assert emu.client.conferences(a.conference_sid).fetch().status == "in-progress"
    for sid in (a.call_sid, b.call_sid):
        assert np.abs(_wav(emu.call_audio(sid)).astype(int)).max() == 0
    emu.client.conferences(a.conference_sid).update(status="completed")
    emu.advance(5)
    [rec] = emu.client.recordings.list(conference_sid=a.conference_sid)
    assert rec.status == "absent"  # nothing but silence was recorded


def test_the_starter_with_beep_true_beeps_at_start(emu):
    a, b = _room(emu, "false", "true")
    heard = _wav(emu.call_audio(a.call_sid))  # from A's answer, t=2: the start is at t=4
    at_start = heard[2 * RATE:int((2 + emu.config.beep_seconds) * RATE)]
    assert _band(at_start, emu.config.beep_hz) > 1000
    assert np.abs(heard[:2 * RATE].astype(int)).max() == 0
    emu.client.conferences(a.conference_sid).update(status="completed")
    emu.advance(5)
    [rec] = emu.client.recordings.list(conference_sid=a.conference_sid)
    assert rec.status == "completed"
    assert _band(_wav(emu.recording_audio(rec.sid)), emu.config.beep_hz) > 10


def test_twiml_beep_false_on_every_leg_plays_no_start_beep(emu):
    twiml = ('<Response><Dial><Conference beep="false" waitUrl="">Desk</Conference></Dial>'
             '</Response>')
    emu.phone(A, answer_after=1)
    emu.phone(B, answer_after=3)
    a = emu.client.calls.create(to=A, from_="+15550100000", twiml=twiml)
    b = emu.client.calls.create(to=B, from_="+15550100000", twiml=twiml)
    emu.advance(8)
    [conf] = emu.client.conferences.list(friendly_name="Desk")
    assert conf.status == "in-progress"
    for call in (a, b):
        assert np.abs(_wav(emu.call_audio(call.sid)).astype(int)).max() == 0
