"""media.mixer: what each participant hears (mix-minus, hold, coach, wait, announce, jitter)."""

import numpy as np
import pytest
import soundfile as sf

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media import audio, mixer
from twilio_conf_emulator.media.analysis import band_fraction, band_rms
from twilio_conf_emulator.media.timeline import MediaEvent as E

CFG = EmulatorConfig()
SR = CFG.sample_rate
T = 1767225600.0  # the emulator's default epoch
CF = "CF" + "0" * 32
A, B, C = "CA" + "a" * 32, "CA" + "b" * 32, "CA" + "c" * 32
HZ = {A: 300, B: 500, C: 700}
# band_rms thresholds (int16 units): a -14 dBFS tone measures ~4600; "absent" allows for
# spectral leakage from abrupt onsets, still 40 dB below "present".
PRESENT, ABSENT = 1000, 50


@pytest.fixture
def voices(tmp_path):
    """A distinct tone WAV per caller (30 s, -14 dBFS), as AudioRefs."""
    refs = {}
    for sid, hz in HZ.items():
        path = tmp_path / f"{hz}.wav"
        x = 0.2 * np.sin(2 * np.pi * hz * np.arange(30 * SR) / SR)
        sf.write(str(path), x, SR, subtype="PCM_16")
        refs[sid] = {"kind": "file", "path": str(path)}
    return refs


def v(ref):
    return audio.load(ref, CFG).astype(np.int32)


def answered(voices, *sids, at=0.0):
    return [E(T + at, "call-answered", s, data={"voice": voices[s]}) for s in sids]


def enter(sid, at, muted=False, jitter="off", wait=None):
    return E(T + at, "conf-enter", sid, CF, {"muted": muted, "jitter": jitter, "wait_audio": wait})


def bridged(voices, *sids, at=1.0):
    """Everyone answered at T, entered at T+at, conference started at once."""
    return answered(voices, *sids) + [enter(s, at) for s in sids] + [E(T + at, "conf-start", conference_sid=CF)]


def heard(events, sid, t0=0.0, t1=10.0, **kw):
    """What ``sid`` heard over [T+t0, T+t1): index k is T + t0 + k/SR."""
    return mixer.render_call(events, sid, CFG, start=T + t0, end=T + t1, **kw)


def part(x, t0, t1, origin=0.0):
    return x[int((t0 - origin) * SR) : int((t1 - origin) * SR)]


def test_mix_minus_is_the_exact_sum_of_the_others(voices):
    ev = bridged(voices, A, B, C)
    for me, others in ((A, (B, C)), (B, (A, C)), (C, (A, B))):
        x = heard(ev, me, 0, 6)
        assert np.all(x[: SR] == 0)  # before entering: nothing
        expected = sum(v(voices[o])[SR : 6 * SR] for o in others)
        assert np.array_equal(x[SR:].astype(np.int32), expected)
        assert band_fraction(x[SR:], HZ[me]) < 1e-6


def test_mix_minus_clips_only_the_output(tmp_path):
    loud = {}
    for sid, hz in HZ.items():
        p = tmp_path / f"loud{hz}.wav"
        sf.write(str(p), 0.8 * np.sin(2 * np.pi * hz * np.arange(5 * SR) / SR), SR, subtype="PCM_16")
        loud[sid] = {"kind": "file", "path": str(p)}
    ev = bridged(loud, A, B, C)
    x = heard(ev, A, 1, 4).astype(np.int32)
    total = v(loud[B])[SR : 4 * SR] + v(loud[C])[SR : 4 * SR]
    assert total.max() > 32767  # the case is real
    assert np.array_equal(x, np.clip(total, -32768, 32767))


def test_hold_hears_only_hold_audio_and_is_not_heard(voices):
    hold_music = {"kind": "tone", "hz": 1100, "seconds": 0.5, "loop": True}
    ev = bridged(voices, A, B, C) + [
        E(T + 2, "hold", A, CF, {"audio": hold_music}),
        E(T + 4, "unhold", A, CF),
    ]
    xa, xb = heard(ev, A, 0, 6), heard(ev, B, 0, 6)
    assert band_fraction(part(xa, 2, 4), 1100) > 0.999  # only the hold music
    assert band_rms(part(xa, 2, 4), 500) < ABSENT and band_rms(part(xa, 2, 4), 700) < ABSENT
    assert band_rms(part(xb, 2, 4), 300) < ABSENT  # nobody hears the held caller
    assert band_rms(part(xb, 2, 4), 700) > PRESENT
    # After unhold both ways return, sample-exact.
    assert np.array_equal(part(xa, 4, 6).astype(np.int32), v(voices[B])[4 * SR : 6 * SR] + v(voices[C])[4 * SR : 6 * SR])
    assert band_rms(part(xb, 4, 6), 300) > PRESENT
    assert band_fraction(part(xa, 4, 6), 1100) < 1e-6


def test_hold_without_audio_is_silence(voices):
    ev = bridged(voices, A, B) + [E(T + 2, "hold", A, CF, {"audio": None}), E(T + 3, "unhold", A, CF)]
    xa = heard(ev, A, 0, 4)
    assert np.all(part(xa, 2, 3) == 0)
    assert band_rms(part(xa, 3, 4), 500) > PRESENT


def test_coach_is_heard_only_by_the_coached_agent(voices):
    agent, customer, coach = A, B, C
    ev = bridged(voices, agent, customer, coach) + [
        E(T + 1, "coach", coach, CF, {"target": agent}),
        E(T + 4, "coach", coach, CF, {"target": None}),  # barge in: now on the bus
        E(T + 1, "record", None, CF, {"action": "start", "recording_sid": "RE1", "channels": 1, "trim": False}),
        E(T + 6, "conf-end", None, CF),
    ]
    xa, xb, xc = heard(ev, agent, 0, 6), heard(ev, customer, 0, 6), heard(ev, coach, 0, 6)
    assert band_rms(part(xa, 1, 4), HZ[coach]) > PRESENT  # the agent hears the coach
    assert band_rms(part(xb, 1, 4), HZ[coach]) < ABSENT  # the customer does not
    assert band_rms(part(xc, 1, 4), HZ[agent]) > PRESENT and band_rms(part(xc, 1, 4), HZ[customer]) > PRESENT
    rec = mixer.render_recording(ev, CF, CFG)
    assert len(rec) == 5 * SR
    assert band_rms(rec[: 3 * SR], HZ[coach]) < ABSENT  # nor the recording
    assert band_rms(rec[: 3 * SR], HZ[agent]) > PRESENT
    # Once not coaching, everyone hears it.
    assert band_rms(part(xb, 4, 6), HZ[coach]) > PRESENT
    assert band_rms(rec[3 * SR :], HZ[coach]) > PRESENT


def test_waiting_participants_hear_wait_audio_and_contribute_nothing(voices):
    wait = {"kind": "tone", "hz": 1200, "seconds": 0.3, "loop": True}
    ev = answered(voices, A, B) + [
        enter(A, 1, wait=wait),
        enter(B, 2, wait=None),
        E(T + 3, "conf-start", conference_sid=CF),
    ]
    xa, xb = heard(ev, A, 0, 5), heard(ev, B, 0, 5)
    assert band_fraction(part(xa, 1, 3), 1200) > 0.999
    assert np.all(part(xb, 2, 3) == 0)  # B waits in silence and does not hear A
    assert np.array_equal(part(xa, 3, 5).astype(np.int32), v(voices[B])[3 * SR : 5 * SR])
    assert band_fraction(part(xa, 3, 5), 1200) < 1e-6  # the music stopped


def test_wait_audio_change_restarts_the_music(voices):
    ev = answered(voices, A) + [
        enter(A, 1, wait={"kind": "pending"}),  # the engine is still fetching the waitUrl
        E(T + 2, "wait-audio", A, CF, {"audio": {"kind": "tone", "hz": 800, "seconds": 5}}),
    ]
    xa = heard(ev, A, 0, 4)
    assert np.all(part(xa, 1, 2) == 0)
    assert band_fraction(part(xa, 2, 4), 800) > 0.999
    tone = audio.load({"kind": "tone", "hz": 800, "seconds": 5}, CFG)
    assert np.array_equal(part(xa, 2, 4), tone[: 2 * SR])  # from its first sample at t=2


def test_participant_announcement_is_heard_by_its_target_only(voices):
    ann = {"kind": "tone", "hz": 1500, "seconds": 0.5}
    ev = bridged(voices, A, B, C) + [E(T + 2, "announce", A, CF, {"audio": ann})]
    xa, xb = heard(ev, A, 0, 4), heard(ev, B, 0, 4)
    assert band_rms(part(xa, 2, 2.5), 1500) > PRESENT
    assert band_rms(part(xa, 2.5, 4), 1500) < ABSENT  # played once
    assert band_rms(xb, 1500) < ABSENT


def test_conference_announcement_and_beep_are_heard_by_everyone_present(voices):
    ann = {"kind": "tone", "hz": 1500, "seconds": 0.5}
    ev = bridged(voices, A, B) + [
        E(T + 2, "announce", None, CF, {"audio": ann}),
        E(T + 3, "beep", None, CF, {"kind": "enter"}),
    ]
    for sid in (A, B):
        x = heard(ev, sid, 0, 4)
        assert band_rms(part(x, 2, 2.5), 1500) > PRESENT
        assert band_rms(part(x, 3, 3 + CFG.beep_seconds), CFG.beep_hz) > PRESENT
        assert band_rms(part(x, 3.6, 4), CFG.beep_hz) < ABSENT


def test_jitter_buffer_delays_that_participants_voice_by_the_configured_ms(voices):
    ev = answered(voices, A, B) + [
        enter(A, 1), enter(B, 1, jitter="large"), E(T + 1, "conf-start", conference_sid=CF)
    ]
    d = CFG.jitter_buffer_ms["large"] * SR // 1000
    assert d == 480
    xa = heard(ev, A, 1, 3).astype(np.int32)
    assert np.array_equal(xa, v(voices[B])[SR - d : 3 * SR - d])
    xb = heard(ev, B, 1, 3).astype(np.int32)  # the delay is on B's path into the conference only
    assert np.array_equal(xb, v(voices[A])[SR : 3 * SR])


def test_muted_contributes_nothing_but_still_hears(voices):
    ev = bridged(voices, A, B) + [E(T + 2, "mute", A, CF), E(T + 3, "unmute", A, CF)]
    xa, xb = heard(ev, A, 0, 4), heard(ev, B, 0, 4)
    assert band_rms(part(xb, 2, 3), 300) < ABSENT
    assert band_rms(part(xb, 3, 4), 300) > PRESENT
    assert np.array_equal(part(xa, 1, 4).astype(np.int32), v(voices[B])[SR : 4 * SR])


def test_leave_and_conference_end_silence_the_line(voices):
    ev = bridged(voices, A, B, C) + [E(T + 2, "conf-leave", C, CF), E(T + 3, "conf-end", None, CF)]
    xa, xc = heard(ev, A, 0, 4), heard(ev, C, 0, 4)
    assert band_rms(part(xa, 2, 3), 700) < ABSENT and band_rms(part(xa, 2, 3), 500) > PRESENT
    assert np.all(part(xc, 2, 4) == 0)
    assert np.all(part(xa, 3, 4) == 0)


def test_ivr_prompts_are_cut_by_the_next_prompt_and_by_joining(voices):
    p1 = {"kind": "tone", "hz": 600, "seconds": 5}
    p2 = {"kind": "say", "text": "Welcome to the conference, please wait"}
    ev = answered(voices, A, B) + [
        E(T, "call-play", A, data={"audio": p1}),
        E(T + 1, "call-play", A, data={"audio": p2}),
        enter(A, 2), enter(B, 2), E(T + 2, "conf-start", conference_sid=CF),
        E(T + 3, "conf-leave", A, CF),
        E(T + 3, "call-play", A, data={"audio": p1}),
        E(T + 3.5, "call-stop-play", A),
        E(T + 4, "call-ended", A),
    ]
    x = mixer.render_call(ev, A, CFG)  # default window: answer .. hang-up
    assert len(x) == 4 * SR
    assert band_fraction(part(x, 0, 1), 600) > 0.999
    say = audio.load(p2, CFG)
    assert np.array_equal(part(x, 1, 2), say[:SR])  # the first prompt was cut at t=1
    assert np.array_equal(part(x, 2, 3).astype(np.int32), v(voices[B])[2 * SR : 3 * SR])
    assert band_fraction(part(x, 3, 3.5), 600) > 0.999
    assert np.all(part(x, 3.5, 4) == 0)
    xb = heard(ev, B, 0, 4)
    assert band_rms(xb, 600) < ABSENT  # a prompt is private to its call


def test_voice_offset_and_loop(tmp_path):
    p = tmp_path / "short.wav"
    blip = (0.2 * 32768 * np.sin(2 * np.pi * 400 * np.arange(SR // 2) / SR)).astype(np.int16)
    sf.write(str(p), blip, SR, subtype="PCM_16")
    ref = {"kind": "file", "path": str(p), "loop": True, "offset": 1.0}
    ev = [E(T, "call-answered", A, data={"voice": ref}), E(T, "call-answered", B, data={"voice": None}),
          enter(A, 0), enter(B, 0), E(T, "conf-start", conference_sid=CF)]
    xb = heard(ev, B, 0, 3)
    assert np.all(xb[:SR] == 0)  # A starts speaking one second after answering
    assert np.array_equal(xb[SR:], np.tile(blip, 4))


def test_same_events_render_identical_bytes_whatever_the_chunk_size(voices):
    hold = {"kind": "hold-music"}
    ev = bridged(voices, A, B, C) + [
        E(T + 1.5, "hold", B, CF, {"audio": hold}), E(T + 3.01, "unhold", B, CF),
        E(T + 2, "coach", C, CF, {"target": A}), E(T + 2.5, "mute", A, CF),
        E(T + 3, "announce", None, CF, {"audio": {"kind": "say", "text": "hello world"}}),
    ]
    for sid in (A, B, C):
        one = audio.encode_wav(heard(ev, sid, 0, 5))
        two = audio.encode_wav(heard(list(ev), sid, 0, 5))
        assert one == two
        small = audio.encode_wav(heard(ev, sid, 0, 5, chunk_seconds=0.34))
        assert small == one
