"""What each call heard, end to end: twilio-python drives the emulator, the phones speak
synthetic tones, and the audio is judged by FFT (media.analysis.band_rms) or sample by sample.

Issue 5, Done when 1 (mix-minus), 2 (hold), 3 (coaching) and 6 (byte-identical WAVs).
"""

import io

import numpy as np
import pytest
import soundfile as sf

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media.analysis import band_rms
from twilio_conf_emulator.media.audio import load_sound

RATE = 8000
CALLER = "+15550000000"
HZ = {"+15551000001": 440.0, "+15551000002": 700.0, "+15551000003": 1100.0}
AMP = 0.2  # three of them sum to 0.6 of full scale: never clipped


def tone(hz, seconds, amp=AMP):
    n = int(round(seconds * RATE))
    return np.rint(amp * 32767 * np.sin(2 * np.pi * hz * np.arange(n) / RATE)).astype(np.int16)


@pytest.fixture
def voices(tmp_path):
    """number -> (path, int16 samples of one pass): a one-second tone per phone, looped."""
    out = {}
    for number, hz in HZ.items():
        x = tone(hz, 1.0)
        path = tmp_path / f"{int(hz)}.wav"
        sf.write(path, x, RATE, subtype="PCM_16")
        out[number] = (str(path), x)
    return out


def wav(data):
    x, rate = sf.read(io.BytesIO(data), dtype="int16")
    assert rate == RATE
    return x


def secs(x, a, b):
    return x[int(a * RATE):int(b * RATE)]


def looped(x, n):
    return np.tile(x, -(-n // len(x)))[:n]


def setup_room(emu, voices, jitter="off", **first):
    """Three phones dialled into "Room" at the same instant: all answer 2 s later (ringing
    1 s + answer 1 s), so every call's audio starts at the same absolute sample."""
    for number, (path, _) in voices.items():
        emu.phone(number, audio=path, loop=True)
    client = emu.client
    parts = {}
    for i, number in enumerate(HZ):
        kwargs = dict(first) if i == 0 else {}
        parts[number] = client.conferences("Room").participants.create(
            from_=CALLER, to=number, jitter_buffer_size=jitter, **kwargs)
    return client, parts


def test_mix_minus_each_hears_the_others_exactly_and_never_itself(emu, voices):
    _, parts = setup_room(emu, voices)
    emu.advance(12)
    a, b, c = (parts[n].call_sid for n in HZ)
    heard = {sid: wav(emu.call_audio(sid)) for sid in (a, b, c)}
    # Live calls: from the answer (t=2) to now (t=12).
    assert all(len(x) == 10 * RATE for x in heard.values())
    va, vb, vc = (looped(voices[n][1], 10 * RATE).astype(np.int32) for n in HZ)
    window = slice(2 * RATE, 10 * RATE)  # after the join beeps
    # The sum is exact below clipping: A's ear is B + C, sample for sample.
    assert np.array_equal(heard[a][window], (vb + vc)[window])
    assert np.array_equal(heard[b][window], (va + vc)[window])
    assert np.array_equal(heard[c][window], (va + vb)[window])
    # And by spectrum: A hears B and C, never itself.
    x = heard[a][window]
    assert band_rms(x, 700) > 3000 and band_rms(x, 1100) > 3000
    assert band_rms(x, 440) < 1.0


def test_hold_hears_only_hold_audio_nobody_hears_the_held_and_unhold_restores(emu, voices):
    client, parts = setup_room(emu, voices)
    a, b, c = (parts[n].call_sid for n in HZ)
    emu.advance(5)                                                  # t=5: all in since t=2
    client.conferences(parts["+15551000001"].conference_sid).participants(a).update(hold=True)
    emu.advance(5)                                                  # t=10
    client.conferences(parts["+15551000001"].conference_sid).participants(a).update(hold=False)
    emu.advance(5)                                                  # t=15
    ha, hb, hc = (wav(emu.call_audio(s)) for s in (a, b, c))
    held = slice(int(3.5 * RATE), int(7.5 * RATE))                  # t=5.5..9.5 of the call
    after = slice(int(8.5 * RATE), int(12.5 * RATE))                # t=10.5..14.5
    # The held caller hears the hold music only, sample for sample (it started at the hold,
    # t=5): neither B nor C.
    music = load_sound({"kind": "hold-music"}, emu.config).samples
    assert np.array_equal(ha[held], music[int(0.5 * RATE):int(4.5 * RATE)])
    assert np.sqrt(np.mean(ha[held].astype(float) ** 2)) > 300
    # Nobody hears the held caller, nor its hold music: B hears exactly C.
    vc = looped(voices["+15551000003"][1], 13 * RATE)
    assert np.array_equal(hb[held], vc[held])
    assert band_rms(hc[held], 440) < 1.0
    # After unhold both ways are back.
    assert band_rms(ha[after], 700) > 3000 and band_rms(ha[after], 1100) > 3000
    assert band_rms(hb[after], 440) > 3000 and band_rms(hc[after], 440) > 3000


def test_coach_is_heard_by_the_coached_agent_only_and_never_recorded(emu, voices, tmp_path):
    for number, (path, _) in voices.items():
        emu.phone(number, audio=path, loop=True)
    client = emu.client
    agent = client.conferences("Support").participants.create(
        from_=CALLER, to="+15551000001", conference_record="record-from-start",
        jitter_buffer_size="off")
    customer = client.conferences("Support").participants.create(
        from_=CALLER, to="+15551000002", jitter_buffer_size="off")
    emu.advance(5)
    coach = client.conferences(agent.conference_sid).participants.create(
        from_=CALLER, to="+15551000003", coaching=True, call_sid_to_coach=agent.call_sid,
        jitter_buffer_size="off")
    emu.advance(10)                                                  # coach in from t=7
    client.conferences(agent.conference_sid).update(status="completed")
    emu.advance(1)
    h_agent, h_customer = wav(emu.call_audio(agent.call_sid)), wav(emu.call_audio(customer.call_sid))
    coached = slice(6 * RATE, 12 * RATE)                             # t=8..14 (answered at 2)
    assert band_rms(h_agent[coached], 1100) > 3000                   # the agent hears the coach
    assert band_rms(h_agent[coached], 700) > 3000                    # and the customer
    assert band_rms(h_customer[coached], 1100) < 1.0                 # the customer never does
    assert band_rms(h_customer[coached], 440) > 3000
    h_coach = wav(emu.call_audio(coach.call_sid))
    assert band_rms(h_coach[2 * RATE:], 440) > 3000 and band_rms(h_coach[2 * RATE:], 700) > 3000
    rec = client.conferences(agent.conference_sid).recordings.list()[0]
    x = wav(emu.recording_audio(rec.sid))[6 * RATE:12 * RATE]      # t=8..14, past the beeps
    assert band_rms(x, 440) > 3000 and band_rms(x, 700) > 3000
    assert band_rms(x, 1100) < 1.0                                   # not in the recording


def _run_scenario(tmp_path, voices):
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    try:
        client, parts = setup_room(emu, voices, jitter="large",
                                   conference_record="record-from-start")
        a = parts["+15551000001"]
        emu.advance(4)
        client.conferences(a.conference_sid).participants(a.call_sid).update(muted=True)
        emu.advance(3)
        client.conferences(a.conference_sid).participants(
            parts["+15551000002"].call_sid).update(hold=True)
        emu.advance(3)
        live_audio = emu.call_audio(a.call_sid)
        client.conferences(a.conference_sid).update(status="completed")
        emu.advance(1)
        rec = client.conferences(a.conference_sid).recordings.list()[0]
        return (live_audio, [emu.call_audio(p.call_sid) for p in parts.values()],
                emu.recording_audio(rec.sid), emu.recording_audio(rec.sid, fmt="mp3"))
    finally:
        emu.stop()


def test_the_same_scenario_twice_gives_byte_identical_wavs(tmp_path, voices):
    first, second = _run_scenario(tmp_path, voices), _run_scenario(tmp_path, voices)
    assert first[0] == second[0]                                     # a live call, cut at now
    assert first[1] == second[1]                                     # every call, finished
    assert first[2] == second[2]                                     # the recording
    assert first[3] == second[3]                                     # and its mp3
    assert len(wav(first[2])) > 5 * RATE and band_rms(wav(first[2]), 700) > 1000


def test_call_audio_over_http_and_unknown_call_is_a_twilio_404(emu, voices):
    _, parts = setup_room(emu, voices)
    emu.advance(6)
    sid = parts["+15551000001"].call_sid
    web = emu.app.test_client()
    resp = web.get(f"/_emulator/calls/{sid}/audio.wav")
    assert resp.status_code == 200 and resp.mimetype == "audio/x-wav"
    assert resp.data == emu.call_audio(sid)
    info = sf.info(io.BytesIO(resp.data))
    assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
    missing = web.get("/_emulator/calls/CA" + "0" * 32 + "/audio.wav")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == 20404
    assert set(missing.get_json()) == {"code", "message", "more_info", "status"}
