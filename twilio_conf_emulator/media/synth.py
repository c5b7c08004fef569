"""Sounds the emulator generates itself: tones, DTMF, the beep, hold music, <Say>.

Everything here is a pure function of its arguments (no randomness, no clock, no files), so
a scenario renders to the same bytes on every run.  Output is float64 in [-1, 1] at the
requested rate; ``audio.py`` turns it into int16.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zlib
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from .resample import resample
from .timeline import say_duration

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig

# Level of generated tones and speech stand-ins: -12 dBFS peak, so a few overlapping
# sources stay below clipping (tests rely on exact mix-minus sums).
DEFAULT_AMPLITUDE = 0.25

# ITU-T Q.23 keypad frequencies.
_DTMF_LOW = {"1": 697, "2": 697, "3": 697, "A": 697, "4": 770, "5": 770, "6": 770, "B": 770,
             "7": 852, "8": 852, "9": 852, "C": 852, "*": 941, "0": 941, "#": 941, "D": 941}
_DTMF_HIGH = {"1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336,
              "0": 1336, "3": 1477, "6": 1477, "9": 1477, "#": 1477, "A": 1633, "B": 1633,
              "C": 1633, "D": 1633}
DTMF_TONE_SECONDS = 0.1
DTMF_GAP_SECONDS = 0.1
# Twilio's SendDigits / Play digits pauses.
DTMF_PAUSES = {"w": 0.5, "W": 1.0}


def n_samples(seconds: float, rate: int) -> int:
    return max(0, int(round(seconds * rate)))


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(n_samples(seconds, rate))


def tone(hz: float, seconds: float, rate: int, amplitude: float = DEFAULT_AMPLITUDE) -> np.ndarray:
    """A pure sine from phase 0 (no fades: tests measure its spectrum exactly)."""
    n = np.arange(n_samples(seconds, rate))
    return amplitude * np.sin(2.0 * np.pi * float(hz) * n / rate)


def _fade(x: np.ndarray, rate: int, ms: float = 5.0) -> np.ndarray:
    """Raised-cosine edges, so beeps and chords start and stop without clicks."""
    k = min(len(x) // 2, int(rate * ms / 1000))
    if k:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(k) / k)
        x[:k] *= ramp
        x[len(x) - k :] *= ramp[::-1]
    return x


def beep(config: EmulatorConfig) -> np.ndarray:
    return _fade(tone(config.beep_hz, config.beep_seconds, config.sample_rate), config.sample_rate)


def dtmf(digits: str, rate: int, amplitude: float = DEFAULT_AMPLITUDE) -> np.ndarray:
    """Each key: 0.1 s of its two-tone pair then 0.1 s of silence; ``w``/``W`` pause 0.5/1 s.
    Characters that are neither (spaces, dashes) are skipped."""
    parts = []
    for ch in digits:
        key = ch.upper() if ch in "abcd" else ch
        if ch in DTMF_PAUSES:
            parts.append(silence(DTMF_PAUSES[ch], rate))
        elif key in _DTMF_LOW:
            pair = tone(_DTMF_LOW[key], DTMF_TONE_SECONDS, rate, amplitude) + tone(
                _DTMF_HIGH[key], DTMF_TONE_SECONDS, rate, amplitude
            )
            parts.append(_fade(pair, rate, 2.0))
            parts.append(silence(DTMF_GAP_SECONDS, rate))
    return np.concatenate(parts) if parts else np.zeros(0)


# --- hold music -------------------------------------------------------------------------------
# A I-V-vi-IV progression in C (two rounds, 8 chords of 3.75 s = a 30 s loop), each chord a
# soft organ pad under a slow arpeggio.  Every chord fades in and out to zero, so the loop
# point is seamless.
_CHORDS = [
    (261.63, 329.63, 392.00), (196.00, 246.94, 293.66), (220.00, 261.63, 329.63),
    (174.61, 220.00, 261.63),
] * 2
HOLD_MUSIC_CHORD_SECONDS = 3.75


def hold_music(rate: int) -> np.ndarray:
    n = n_samples(HOLD_MUSIC_CHORD_SECONDS, rate)
    t = np.arange(n) / rate
    out = []
    for i, chord in enumerate(_CHORDS):
        pad = np.zeros(n)
        for f in chord:
            # Fundamental plus two soft harmonics (below 4 kHz Nyquist at 8 kHz).
            pad += np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) + 0.1 * np.sin(6 * np.pi * f * t)
        pad *= 0.06
        # Arpeggio: the chord's notes an octave up, four per beat-pair, plucked envelope.
        step = n // 8
        arp = np.zeros(n)
        env = np.exp(-np.arange(step) / (0.12 * rate))
        for k in range(8):
            f = 2 * chord[(k + i) % 3]
            seg = slice(k * step, (k + 1) * step)
            arp[seg] = 0.12 * env * np.sin(2 * np.pi * f * np.arange(step) / rate)
        out.append(_fade(pad + arp, rate, 60.0))
    return np.concatenate(out)


# --- <Say> ------------------------------------------------------------------------------------
def say_engine(tts: str = "auto") -> str:
    """``espeak-ng`` if asked for or (``auto``) installed, else ``stand-in``."""
    if tts == "stand-in":
        return "stand-in"
    if tts in ("auto", "espeak-ng") and shutil.which("espeak-ng"):
        return "espeak-ng"
    return "stand-in"


def _espeak_voice(voice: str, language: str) -> str:
    lang = (language or "en-US").lower()
    female = (voice or "").lower() in ("alice", "woman") or "female" in (voice or "").lower()
    return lang + ("+f3" if female else "")


def _espeak(text: str, voice: str, language: str) -> tuple[np.ndarray, int] | None:
    """(samples float64, rate) from espeak-ng, or None if it fails.  Text goes on stdin so
    nothing in it can be read as an option."""
    try:
        proc = subprocess.run(
            [shutil.which("espeak-ng") or "espeak-ng", "--stdout", "-v", _espeak_voice(voice, language)],
            input=text.encode("utf-8"), capture_output=True, timeout=60, check=True,
        )
        data, rate = sf.read(io.BytesIO(proc.stdout), dtype="float64", always_2d=True)
    except (OSError, subprocess.SubprocessError, RuntimeError):
        return None
    return data.mean(axis=1), rate


def _say_stand_in(text: str, rate: int, total: int, config) -> np.ndarray:
    """One tone burst per word (pitch from a CRC of the word, so it is stable across runs
    and Python hash seeds), each in its own slot of ``say_seconds_per_word``."""
    out = np.zeros(total)
    slot = n_samples(config.say_seconds_per_word, rate)
    for i, word in enumerate((text or "").split()):
        a = i * slot
        if a >= total:
            break
        hz = 200.0 + (zlib.crc32(word.lower().encode("utf-8")) % 400)
        burst = _fade(tone(hz, 0.75 * config.say_seconds_per_word, rate), rate, 10.0)
        burst = burst[: total - a]
        out[a : a + len(burst)] = burst
    return out


def say(text: str, config: EmulatorConfig, voice: str = "", language: str = "en-US", tts: str = "auto") -> np.ndarray:
    """One pass of <Say>, exactly ``say_duration`` long whichever engine speaks it: the
    virtual clock schedules with ``say_duration`` and must not depend on what is installed."""
    rate = config.sample_rate
    total = n_samples(say_duration(text, config), rate)
    if say_engine(tts) == "espeak-ng":
        got = _espeak(text, voice, language)
        if got is not None:
            x, r = got
            if r != rate:
                x = resample(x, r, rate)
            out = np.zeros(total)
            x = x[:total]
            out[: len(x)] = x
            return _fade(out, rate, 10.0)
    return _say_stand_in(text, rate, total, config)
