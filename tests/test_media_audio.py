"""media.audio / synth / resample: AudioRefs to 8 kHz int16, durations, encodings."""

import base64
import io
import os
import sys

import numpy as np
import pytest
import soundfile as sf

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media import audio, synth
from twilio_conf_emulator.media.analysis import band_fraction, dominant_hz
from twilio_conf_emulator.media.clip import Clip
from twilio_conf_emulator.media.timeline import say_duration

CFG = EmulatorConfig()
SR = CFG.sample_rate


def write_tone(path, hz, seconds, rate=SR, channels=1, amp=0.25, subtype="PCM_16"):
    n = int(round(seconds * rate))
    x = amp * np.sin(2 * np.pi * hz * np.arange(n) / rate)
    if channels > 1:
        x = np.stack([x] * channels, axis=1)
    sf.write(str(path), x, rate, subtype=subtype)
    return str(path)


def test_44k_stereo_file_resampled_once_to_right_duration_and_pitch(tmp_path):
    n_in = 3 * 44100 + 17  # not a whole number of output samples
    path = tmp_path / "stereo.wav"
    x = 0.25 * np.sin(2 * np.pi * 1000 * np.arange(n_in) / 44100)
    sf.write(str(path), np.stack([x, 0.5 * x], axis=1), 44100, subtype="PCM_16")
    y = audio.load({"kind": "file", "path": str(path)}, CFG)
    assert y.dtype == np.int16 and y.ndim == 1
    assert len(y) == round(n_in * SR / 44100)
    assert dominant_hz(y[800:-800]) == pytest.approx(1000, abs=2)
    # Channels are averaged: amplitude 0.75 * 0.25 of full scale.
    assert np.abs(y[800:-800]).max() == pytest.approx(0.1875 * 32768, rel=0.01)


def test_8k_int16_file_loads_bit_exact(tmp_path):
    x = (np.random.default_rng(1).standard_normal(4000) * 3000).astype(np.int16)
    path = tmp_path / "exact.wav"
    sf.write(str(path), x, SR, subtype="PCM_16")
    assert np.array_equal(audio.load({"kind": "file", "path": str(path)}, CFG), x)


def test_file_cache_follows_mtime_and_content_hash(tmp_path):
    p = write_tone(tmp_path / "a.wav", 440, 0.5)
    first = audio.load({"kind": "file", "path": p}, CFG)
    assert audio.load({"kind": "file", "path": p}, CFG) is first
    assert not first.flags.writeable  # shared through the cache
    # Same bytes under another name, or as a bytes ref: the hash cache answers.
    q = tmp_path / "copy.wav"
    q.write_bytes(open(p, "rb").read())
    assert audio.load({"kind": "file", "path": str(q)}, CFG) is first
    b64 = base64.b64encode(open(p, "rb").read()).decode()
    assert audio.load({"kind": "bytes", "data_b64": b64}, CFG) is first
    # A rewritten file (new mtime) is read again.
    write_tone(p, 880, 0.5)
    st = os.stat(p)
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    again = audio.load({"kind": "file", "path": p}, CFG)
    assert dominant_hz(again) == pytest.approx(880, abs=5)


def test_mp3_file_and_bytes_load(tmp_path):
    x = audio.to_int16(synth.tone(600, 2.0, SR))
    data = audio.encode_mp3(x)
    path = tmp_path / "a.mp3"
    path.write_bytes(data)
    y = audio.load({"kind": "file", "path": str(path)}, CFG)
    assert abs(len(y) - len(x)) <= 1152  # at most one MP3 frame of padding
    assert dominant_hz(y[800:-800]) == pytest.approx(600, abs=3)
    b64 = base64.b64encode(data).decode()
    assert np.array_equal(audio.load({"kind": "bytes", "data_b64": b64}, CFG), y)


def test_unreadable_audio_raises_audio_error(tmp_path):
    with pytest.raises(audio.AudioError):
        audio.load({"kind": "file", "path": str(tmp_path / "missing.wav")}, CFG)
    with pytest.raises(audio.AudioError):
        audio.load({"kind": "bytes", "data_b64": base64.b64encode(b"not audio at all").decode()}, CFG)
    with pytest.raises(audio.AudioError):
        audio.load({"kind": "kazoo"}, CFG)


@pytest.mark.parametrize("tts", ["stand-in", "auto"])
@pytest.mark.parametrize("text", ["", "Hello", "Please hold while we connect your call", "a b c d e f g h i j k l"])
def test_say_duration_is_what_load_returns(text, tts):
    ref = {"kind": "say", "text": text, "voice": "alice", "language": "en-US"}
    y = audio.load(ref, CFG, tts=tts)
    assert len(y) == round(say_duration(text, CFG) * SR)
    assert audio.audio_duration(ref, CFG, tts=tts) == len(y) / SR
    assert abs(audio.audio_duration(ref, CFG, tts=tts) - say_duration(text, CFG)) <= 0.5 / SR
    assert say_duration(text, CFG) >= CFG.say_min_seconds
    twice = audio.load(dict(ref, loop=2), CFG, tts=tts)
    assert len(twice) == 2 * len(y)
    assert np.array_equal(twice[: len(y)], y)


def test_say_stand_in_speaks_one_burst_per_word():
    text = "one two three four five"
    y = audio.load({"kind": "say", "text": text}, CFG, tts="stand-in")
    assert len(y) == round(5 * CFG.say_seconds_per_word * SR)
    slot = round(CFG.say_seconds_per_word * SR)
    for i in range(5):
        assert np.abs(y[i * slot : (i + 1) * slot]).max() > 1000


def test_durations_of_generated_kinds():
    assert audio.audio_duration({"kind": "silence", "seconds": 1.5}, CFG) == 1.5
    assert audio.audio_duration({"kind": "tone", "hz": 440, "seconds": 0.25}, CFG) == 0.25
    assert audio.audio_duration({"kind": "dtmf", "digits": "12#"}, CFG) == pytest.approx(0.6)
    assert audio.audio_duration({"kind": "dtmf", "digits": "1w2"}, CFG) == pytest.approx(0.9)
    assert audio.audio_duration({"kind": "tone", "hz": 440, "seconds": 0.25, "loop": 3}, CFG) == 0.75
    assert audio.audio_duration({"kind": "hold-music"}, CFG) is None
    assert audio.audio_duration({"kind": "tone", "hz": 440, "seconds": 0.25, "loop": True}, CFG) is None
    assert audio.audio_duration({"kind": "tone", "hz": 440, "seconds": 0.25, "loop": 0}, CFG) is None
    assert audio.audio_duration({"kind": "pending"}, CFG) == 0.0
    pl = {"kind": "playlist", "items": [
        {"kind": "say", "text": "hi there"}, {"kind": "silence", "seconds": 1.0},
        {"kind": "dtmf", "digits": "9"}]}
    expect = say_duration("hi there", CFG) + 1.0 + 0.2
    assert audio.audio_duration(pl, CFG) == pytest.approx(expect, abs=1 / SR)
    assert len(audio.load(pl, CFG)) == round(expect * SR)
    assert audio.audio_duration(dict(pl, loop=True), CFG) is None


def test_dtmf_digit_has_its_two_frequencies():
    y = audio.load({"kind": "dtmf", "digits": "5"}, CFG)
    tone_part = y[: int(0.1 * SR)]
    assert band_fraction(tone_part, 770, width=40) + band_fraction(tone_part, 1336, width=40) > 0.9
    assert np.all(y[int(0.1 * SR) :] == 0)  # the 0.1 s gap


def test_hold_music_is_generated_endless_deterministic_and_audible():
    s = audio.load_sound({"kind": "hold-music"}, CFG)
    assert s.endless and s.loop_from == 0
    assert len(s.samples) / SR == pytest.approx(30.0)
    assert np.array_equal(audio.to_int16(synth.hold_music(SR)), s.samples)
    rms = np.sqrt(np.mean(s.samples.astype(float) ** 2))
    assert 1000 < rms < 10000
    assert s.peak < 32767


def test_playlist_with_endless_item_loops_only_that_item():
    intro = {"kind": "tone", "hz": 500, "seconds": 0.5}
    music = {"kind": "tone", "hz": 900, "seconds": 0.25, "loop": True}
    never = {"kind": "tone", "hz": 1500, "seconds": 1.0}
    s = audio.load_sound({"kind": "playlist", "items": [intro, music, never]}, CFG)
    assert s.loop_from == int(0.5 * SR) and len(s.samples) == int(0.75 * SR)
    assert audio.audio_duration({"kind": "playlist", "items": [intro, music, never]}, CFG) is None
    clip = Clip(s, start=1000)
    out = np.zeros(10 * SR, np.int32)
    clip.add_into(out, 0, 0, len(out))
    assert np.all(out[:1000] == 0)
    late = out[1000 + SR : 1000 + 5 * SR]
    assert dominant_hz(late) == pytest.approx(900, abs=3)  # the intro never comes back
    assert band_fraction(late, 500) < 1e-3 and band_fraction(late, 1500) < 1e-3


def test_encode_wav_is_8k_pcm16_and_round_trips():
    x = (np.random.default_rng(2).standard_normal(1234) * 5000).astype(np.int16)
    data = audio.encode_wav(x)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and len(data) == 44 + 2 * len(x)
    info = sf.info(io.BytesIO(data))
    assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
    y, _ = sf.read(io.BytesIO(data), dtype="int16")
    assert np.array_equal(x, y)
    st = np.stack([x, -x], axis=1)
    y2, _ = sf.read(io.BytesIO(audio.encode_wav(st)), dtype="int16")
    assert y2.shape == (1234, 2) and np.array_equal(y2, st)


def test_encode_mp3_decodes_back_to_the_same_sound():
    x = audio.to_int16(synth.tone(440, 3.0, SR))
    data = audio.encode_mp3(x)
    info = sf.info(io.BytesIO(data))
    assert info.samplerate == 8000 and info.channels == 1 and info.format == "MP3"
    assert 28_000 <= len(data) * 8 / 3.0 <= 40_000  # ~32 kbps, Twilio's .mp3 bitrate
    y, _ = sf.read(io.BytesIO(data), dtype="int16")
    assert len(y) == len(x)
    core = slice(1000, len(x) - 1000)
    assert np.corrcoef(x[core].astype(float), y[core].astype(float))[0, 1] > 0.95


@pytest.mark.parametrize("spoken_seconds", [0.3, 5.0])  # shorter and longer than say_duration
def test_espeak_output_is_padded_or_trimmed_to_say_duration(tmp_path, monkeypatch, spoken_seconds):
    """A stand-in espeak-ng on PATH: 22.05 kHz WAV on stdout, text read from stdin."""
    fake = tmp_path / "espeak-ng"
    fake.write_text(
        f"#!{sys.executable}\n"  # the test's own interpreter: it has numpy and soundfile
        "import io, sys, numpy as np, soundfile as sf\n"
        "sys.stdin.read()\n"
        f"x = 0.3 * np.sin(2 * np.pi * 700 * np.arange(int({spoken_seconds} * 22050)) / 22050)\n"
        "b = io.BytesIO(); sf.write(b, x, 22050, format='WAV', subtype='PCM_16')\n"
        "sys.stdout.buffer.write(b.getvalue())\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert synth.say_engine("auto") == "espeak-ng"
    text = f"three spoken words {spoken_seconds}"  # unique: not served from the cache
    y = audio.load({"kind": "say", "text": text}, CFG, tts="espeak-ng")
    assert len(y) == round(say_duration(text, CFG) * SR)
    spoken = min(spoken_seconds, say_duration(text, CFG))
    assert dominant_hz(y[: int(spoken * SR)]) == pytest.approx(700, abs=3)
    assert np.all(y[int(spoken * SR) + 1 :] == 0)
    assert synth.say_engine("stand-in") == "stand-in"
