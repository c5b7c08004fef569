"""media.mixer recordings: start, contents, pause, channels, trim, encodings, streaming."""

import io
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media import audio, mixer
from twilio_conf_emulator.media.analysis import band_rms
from twilio_conf_emulator.media.timeline import MediaEvent as E

CFG = EmulatorConfig()
SR = CFG.sample_rate
T = 1767225600.0
CF = "CF" + "1" * 32
A, B, C = "CA" + "a" * 32, "CA" + "b" * 32, "CA" + "c" * 32
HZ = {A: 300, B: 500, C: 700}
WAIT_HZ, HOLD_HZ = 1200, 1100
PRESENT, ABSENT = 1000, 50


def tone_ref(hz, seconds=60, loop=False):
    return {"kind": "tone", "hz": hz, "seconds": seconds, "loop": loop}


@pytest.fixture
def voices(tmp_path):
    refs = {}
    for sid, hz in HZ.items():
        path = tmp_path / f"{hz}.wav"
        sf.write(str(path), 0.2 * np.sin(2 * np.pi * hz * np.arange(20 * SR) / SR), SR, subtype="PCM_16")
        refs[sid] = {"kind": "file", "path": str(path)}
    return refs


def rec_event(at, action, **data):
    return E(T + at, "record", None, CF, dict({"action": action, "recording_sid": "RE1"}, **data))


def conference(voices, channels=1, trim=False, extra=()):
    """A waits with music from 1 s; B joins at 3 s: start + recording; C joins at 4 s and is
    held 6-7 s; the conference ends at 9 s."""
    wait = tone_ref(WAIT_HZ, 0.5, loop=True)
    return [
        E(T, "call-answered", A, data={"voice": voices[A]}),
        E(T, "call-answered", B, data={"voice": voices[B]}),
        E(T, "call-answered", C, data={"voice": voices[C]}),
        E(T + 1, "conf-enter", A, CF, {"muted": False, "jitter": "off", "wait_audio": wait}),
        E(T + 3, "conf-enter", B, CF, {"muted": False, "jitter": "off", "wait_audio": None}),
        E(T + 3, "conf-start", None, CF),
        rec_event(3, "start", channels=channels, trim=trim, pause_behavior="silence"),
        E(T + 4, "conf-enter", C, CF, {"muted": False, "jitter": "off", "wait_audio": None}),
        E(T + 6, "hold", C, CF, {"audio": tone_ref(HOLD_HZ, loop=True)}),
        E(T + 7, "unhold", C, CF),
        *extra,
        E(T + 9, "conf-end", None, CF),
    ]


def sec(x, t0, t1):
    """Recording time -> samples (recording starts at T+3)."""
    return x[int((t0 - 3) * SR) : int((t1 - 3) * SR)]


def test_recording_starts_at_record_start_and_is_the_bus_without_wait_or_hold(voices):
    ev = conference(voices)
    x = mixer.render_recording(ev, CF, CFG)
    assert x.dtype == np.int16 and len(x) == 6 * SR  # 3 s .. 9 s on the virtual clock
    assert mixer.recording_duration(ev, CF, CFG) == 6.0
    assert band_rms(x, WAIT_HZ) < ABSENT and band_rms(x, HOLD_HZ) < ABSENT
    # The bus: exactly the sum of the contributing voices.
    vs = {s: audio.load(voices[s], CFG).astype(np.int32) for s in HZ}
    assert np.array_equal(sec(x, 3, 4), (vs[A] + vs[B])[3 * SR : 4 * SR])
    assert np.array_equal(sec(x, 4, 6), (vs[A] + vs[B] + vs[C])[4 * SR : 6 * SR])
    assert np.array_equal(sec(x, 6, 7), (vs[A] + vs[B])[6 * SR : 7 * SR])  # C on hold


def test_recording_wav_and_mp3_bytes_decode(voices):
    ev = conference(voices)
    wav = mixer.recording_bytes(ev, CF, CFG, fmt="wav")
    y, sr = sf.read(io.BytesIO(wav), dtype="int16")
    assert sr == 8000 and np.array_equal(y, mixer.render_recording(ev, CF, CFG))
    mp3 = mixer.recording_bytes(ev, CF, CFG, fmt="mp3")
    info = sf.info(io.BytesIO(mp3))
    assert info.format == "MP3" and info.samplerate == 8000
    assert abs(info.frames - 6 * SR) <= 1152


def test_pause_skip_shortens_and_pause_silence_keeps_the_time(voices):
    skip = conference(voices, extra=[rec_event(5, "pause", pause_behavior="skip"), rec_event(6.5, "resume")])
    silence = conference(voices, extra=[rec_event(5, "pause", pause_behavior="silence"), rec_event(6.5, "resume")])
    xs = mixer.render_recording(skip, CF, CFG)
    xq = mixer.render_recording(silence, CF, CFG)
    assert len(xs) == int(4.5 * SR)
    assert len(xq) == 6 * SR
    assert np.all(sec(xq, 5, 6.5) == 0)
    assert np.array_equal(sec(xs, 3, 5), sec(xq, 3, 5))
    assert np.array_equal(xs[2 * SR :], xq[int(3.5 * SR) :])  # after the pause, the same audio


def test_stop_ends_the_recording_and_a_new_one_can_start(voices):
    ev = conference(voices, extra=[
        rec_event(5, "stop"),
        E(T + 7, "record", None, CF, {"action": "start", "recording_sid": "RE2", "channels": 1, "trim": False}),
    ])
    assert len(mixer.render_recording(ev, CF, CFG, "RE1")) == 2 * SR
    assert len(mixer.render_recording(ev, CF, CFG, "RE2")) == 2 * SR
    assert len(mixer.render_recording(ev, CF, CFG)) == 2 * SR  # None: the first one
    with pytest.raises(LookupError):
        mixer.render_recording(ev, CF, CFG, "RE404")


def test_dual_channel_puts_the_first_participant_on_channel_one(voices):
    ev = conference(voices, channels=2)
    x = mixer.render_recording(ev, CF, CFG)
    assert x.shape == (6 * SR, 2)
    ch1, ch2 = x[:, 0], x[:, 1]
    assert band_rms(ch1, HZ[A]) > PRESENT  # A joined first
    assert band_rms(ch1, HZ[B]) < ABSENT and band_rms(ch1, HZ[C]) < ABSENT
    assert band_rms(ch2, HZ[A]) < ABSENT
    assert band_rms(ch2, HZ[B]) > PRESENT and band_rms(ch2, HZ[C]) > PRESENT
    mono = mixer.render_recording(conference(voices, channels=1), CF, CFG)
    assert np.array_equal(x.astype(np.int32).sum(axis=1), mono.astype(np.int32))
    y, _ = sf.read(io.BytesIO(audio.encode_wav(x)), dtype="int16")
    assert y.shape == (6 * SR, 2)
    down = mixer.recording_bytes(ev, CF, CFG, channels=1)
    assert sf.info(io.BytesIO(down)).channels == 1


def test_announcements_are_recorded_beeps_follow_the_option(voices):
    extra = [
        E(T + 5, "announce", None, CF, {"audio": tone_ref(1500, 0.5)}),
        E(T + 8, "beep", None, CF, {"kind": "exit"}),
    ]
    ev = conference(voices, extra=extra)
    x = mixer.render_recording(ev, CF, CFG)
    assert band_rms(sec(x, 5, 5.5), 1500) > PRESENT
    assert band_rms(sec(x, 8, 8 + CFG.beep_seconds), CFG.beep_hz) > PRESENT
    quiet = mixer.render_recording(ev, CF, CFG, record_beeps=False)
    assert band_rms(sec(quiet, 8, 8 + CFG.beep_seconds), CFG.beep_hz) < ABSENT
    # ... but participants still hear the beep.
    heard = mixer.render_call(ev, B, CFG, start=T + 8, end=T + 8.5, record_beeps=False)
    assert band_rms(heard, CFG.beep_hz) > PRESENT


def test_trim_silence_removes_leading_and_trailing_silence(tmp_path):
    # A speaks only from 4.5 s to 7 s; the recording runs 3 s .. 9 s.
    p = tmp_path / "late.wav"
    burst = 0.2 * np.sin(2 * np.pi * 400 * np.arange(int(2.5 * SR)) / SR)
    sf.write(str(p), burst, SR, subtype="PCM_16")
    ev = [
        E(T, "call-answered", A, data={"voice": {"kind": "file", "path": str(p), "offset": 4.5}}),
        E(T, "call-answered", B, data={"voice": None}),
        E(T + 3, "conf-enter", A, CF, {"muted": False, "jitter": "off", "wait_audio": None}),
        E(T + 3, "conf-enter", B, CF, {"muted": False, "jitter": "off", "wait_audio": None}),
        E(T + 3, "conf-start", None, CF),
        rec_event(3, "start", channels=1, trim=True),
        E(T + 9, "conf-end", None, CF),
    ]
    full = mixer.render_recording(ev, CF, CFG, trim=False)
    trimmed = mixer.render_recording(ev, CF, CFG)
    assert len(full) == 6 * SR
    loud = np.flatnonzero(np.abs(full.astype(np.int32)) > mixer.TRIM_THRESHOLD)
    assert np.array_equal(trimmed, full[loud[0] : loud[-1] + 1])
    assert len(trimmed) == pytest.approx(2.5 * SR, abs=4)  # the sine's own near-zero edges


def test_streaming_matches_in_memory_render(voices, tmp_path):
    ev = conference(voices, channels=2, trim=True, extra=[rec_event(5, "pause", pause_behavior="skip"), rec_event(5.5, "resume")])
    want = mixer.render_recording(ev, CF, CFG)
    out = tmp_path / "rec.wav"
    info = mixer.stream_recording_to(out, ev, CF, CFG, chunk_seconds=0.7)
    got, sr = sf.read(str(out), dtype="int16")
    assert sr == 8000 and np.array_equal(got, want)
    assert info["frames"] == len(want) and info["channels"] == 2 and info["recording_sid"] == "RE1"
    mp3 = tmp_path / "rec.mp3"
    mixer.stream_recording_to(mp3, ev, CF, CFG)
    assert abs(sf.info(str(mp3)).frames - len(want)) <= 1152


def _big_conference(minutes, n=8):
    ev = [E(T, "call-answered", f"CA{i:032d}", data={"voice": tone_ref(200 + 50 * i, 1.3, loop=True)}) for i in range(n)]
    ev += [E(T, "conf-enter", f"CA{i:032d}", CF, {"muted": False, "jitter": "off", "wait_audio": None}) for i in range(n)]
    ev += [E(T, "conf-start", None, CF), rec_event(0, "start", channels=2, trim=False)]
    for k in range(1, minutes * 2):  # someone toggles mute every 30 s
        sid = f"CA{k % n:032d}"
        ev.append(E(T + 30 * k, "mute" if k % 4 < 2 else "unmute", sid, CF))
    ev.append(E(T + 60 * minutes, "conf-end", None, CF))
    return ev


def test_streaming_memory_is_bounded_by_the_chunk_not_the_length(tmp_path):
    def peak(minutes):  # tracemalloc sees numpy's buffers
        ev = _big_conference(minutes)
        tracemalloc.start()
        mixer.stream_recording_to(tmp_path / f"{minutes}.wav", ev, CF, CFG, chunk_seconds=2.0)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    long = peak(10)
    assert sf.info(str(tmp_path / "10.wav")).frames == 600 * SR
    # The finished 10-minute stereo int16 recording alone is 19 MB (rendering it in memory
    # peaks near 40 MB); streamed, the peak is a few 2 s chunks (~0.7 MB measured).
    assert long < 4 * 1024 * 1024
