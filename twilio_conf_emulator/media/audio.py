"""AudioRefs in, 8 kHz mono int16 out; WAV and MP3 bytes out.

Sample format: everything inside media is **int16 mono at config.sample_rate** (telephony
is 8-bit mu-law, so int16 loses nothing, halves memory against float32, and makes mix-minus
exact in integer arithmetic).  Accumulators are int32.

An AudioRef is a JSON-able dict (see ``timeline.py``).  Loop semantics for every kind:
``loop`` absent / ``False`` / ``1`` = once; ``True`` / ``0`` (Twilio's "forever") = endless;
an integer N > 1 = N times.  ``hold-music`` loops by default.  ``offset`` is a timeline
matter (the clip starts later), not part of the sound.

A loaded ``Sound`` is ``samples`` plus ``loop_from``: None = plays once; k = after the end,
repeats ``samples[k:]`` forever.  That covers a looped file (k = 0) and a playlist whose
last item loops after a one-shot intro (k = the intro's length).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import soundfile as sf

from . import synth
from .resample import resample
from .timeline import say_duration  # noqa: F401  (re-exported: the engine schedules with it)

if TYPE_CHECKING:  # annotations only
    from numpy.typing import ArrayLike

    from ..config import EmulatorConfig

TTS_ENV = "TWILIO_CONF_EMULATOR_TTS"  # auto | espeak-ng | stand-in
MP3_COMPRESSION_LEVEL = 0.5  # with CBR at 8 kHz this is 32 kbps, Twilio's .mp3 bitrate


class AudioError(ValueError):
    """An AudioRef that cannot be turned into sound (unreadable file, unknown kind)."""


class Sound:
    __slots__ = ("samples", "loop_from", "peak")

    def __init__(self, samples: np.ndarray, loop_from: int | None = None) -> None:
        samples = np.ascontiguousarray(samples, dtype=np.int16)
        samples.setflags(write=False)  # shared through the caches
        self.samples = samples
        self.loop_from = loop_from if (loop_from is not None and loop_from < len(samples)) else None
        # Largest magnitude: lets the mixer skip clipping when it provably cannot happen.
        self.peak = int(max(-int(samples.min()), int(samples.max()))) if len(samples) else 0

    @property
    def endless(self) -> bool:
        return self.loop_from is not None


# --- caches -----------------------------------------------------------------------------------
class _LRU:
    """Thread-safe LRU bounded by the bytes of the arrays it holds."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._d: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> np.ndarray | None:
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key: Any, value: np.ndarray, nbytes: int) -> None:
        with self._lock:
            if key in self._d:
                return
            self._d[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.max_bytes and len(self._d) > 1:
                _, (_, n) = self._d.popitem(last=False)
                self._bytes -= n

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
            self._bytes = 0


_decoded = _LRU(256 << 20)  # (sha256 of encoded bytes, rate) -> int16 array
_generated = _LRU(128 << 20)  # (canonical ref json, audio config) -> int16 array
_file_hash: dict = {}  # (abspath, mtime_ns, size) -> sha256: a changed file is re-read
_file_hash_lock = threading.Lock()


def _cached(cache: _LRU, key: Any, make: Callable[[], np.ndarray]) -> np.ndarray:
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    arr = make()
    arr = np.ascontiguousarray(arr, dtype=np.int16)
    arr.setflags(write=False)
    cache.put(key, arr, arr.nbytes)
    return arr


# --- decoding ---------------------------------------------------------------------------------
def to_int16(x: np.ndarray) -> np.ndarray:
    """float [-1, 1) -> int16 the way soundfile maps int16 -> float (x * 32768), so an 8 kHz
    int16 file survives load() bit-exactly."""
    return np.clip(np.rint(np.asarray(x, dtype=np.float64) * 32768.0), -32768, 32767).astype(np.int16)


def decode_bytes(data: bytes, rate: int) -> np.ndarray:
    """Anything libsndfile reads (WAV, MP3, FLAC, ...), any rate, any channels -> int16
    mono at ``rate`` (channels averaged)."""
    key = (hashlib.sha256(data).hexdigest(), rate)

    def make() -> np.ndarray:
        try:
            x, r = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
        except (RuntimeError, sf.LibsndfileError, TypeError) as e:  # TypeError: unknown format
            raise AudioError(f"cannot decode audio ({len(data)} bytes): {e}") from None
        x = x.mean(axis=1)
        return to_int16(resample(x, r, rate) if r != rate else x)

    return _cached(_decoded, key, make)


def _load_file(path: str, rate: int, config=None) -> np.ndarray:
    path = os.path.abspath(path)
    if config is not None:
        from ..policy import Refused, check_file

        try:
            check_file(path, config)
        except Refused as e:
            raise AudioError(f"cannot read audio file {e}") from None
    try:
        st = os.stat(path)
    except OSError as e:
        raise AudioError(f"cannot read audio file {path}: {e.strerror}") from None
    # Only regular files: a named pipe blocks forever, /dev/zero never ends.
    if not stat.S_ISREG(st.st_mode):
        raise AudioError(f"cannot read audio file {path}: not a regular file")
    max_bytes = getattr(config, "max_audio_bytes", None)
    if max_bytes is not None and st.st_size > max_bytes:
        raise AudioError(f"audio file {path} is {st.st_size} bytes, over max_audio_bytes "
                         f"({max_bytes})")
    fkey = (path, st.st_mtime_ns, st.st_size)
    with _file_hash_lock:
        digest = _file_hash.get(fkey)
    if digest is not None:
        hit = _decoded.get((digest, rate))
        if hit is not None:
            return hit[0]
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1 if max_bytes is not None else -1)
    except OSError as e:
        raise AudioError(f"cannot read audio file {path}: {e.strerror}") from None
    with _file_hash_lock:
        _file_hash[fkey] = hashlib.sha256(data).hexdigest()
    return decode_bytes(data, rate)


# --- AudioRef -> Sound ------------------------------------------------------------------------
def repeats(ref: dict) -> int | None:
    """How many times a ref plays: an int >= 1, or None for endless."""
    default = True if ref.get("kind") == "hold-music" else 1
    loop = ref.get("loop", default)
    if loop is None:
        return 1
    if isinstance(loop, bool):  # before int: True == 1 in Python
        return None if loop else 1
    n = int(loop)
    return None if n <= 0 else n


def default_tts() -> str:
    return os.environ.get(TTS_ENV, "auto")


def say_engine() -> str:
    """What ``<Say>`` is spoken with here: ``espeak-ng``, or ``stand-in`` (a tone per word,
    timed like speech) when espeak-ng is not installed or ``$TWILIO_CONF_EMULATOR_TTS`` says
    so. Start-up and ``/_emulator/health`` report it."""
    return synth.say_engine(default_tts())


def _one_pass(ref: dict, config, tts: str) -> np.ndarray:
    """int16 samples of one pass of a non-playlist ref."""
    kind = ref.get("kind")
    rate = config.sample_rate
    _check_seconds(ref, config)
    if kind == "file":
        return _load_file(ref["path"], rate, config)
    if kind == "bytes":
        import base64

        return decode_bytes(base64.b64decode(ref["data_b64"]), rate)
    # Generated kinds: cache by the ref's own fields plus every config value they read.
    fields = {k: v for k, v in ref.items() if k not in ("loop", "offset")}
    if kind == "say":
        engine = synth.say_engine(tts)
        key: tuple[Any, ...] = (json.dumps(fields, sort_keys=True), rate, config.say_seconds_per_word, config.say_min_seconds, engine)
        return _cached(
            _generated, key,
            lambda: to_int16(synth.say(ref.get("text", ""), config, ref.get("voice", ""), ref.get("language", "en-US"), engine)),
        )
    key = (json.dumps(fields, sort_keys=True), rate)
    if kind == "pending":  # the engine is still fetching the real audio: silence meanwhile
        return np.zeros(0, np.int16)
    if kind == "silence":
        return _cached(_generated, key, lambda: np.zeros(synth.n_samples(float(ref.get("seconds", 1.0)), rate), np.int16))
    if kind == "tone":
        amp = float(ref.get("amplitude", synth.DEFAULT_AMPLITUDE))
        return _cached(_generated, key, lambda: to_int16(synth.tone(float(ref["hz"]), float(ref["seconds"]), rate, amp)))
    if kind == "dtmf":
        return _cached(_generated, key, lambda: to_int16(synth.dtmf(str(ref.get("digits", "")), rate)))
    if kind == "hold-music":
        return _cached(_generated, key, lambda: to_int16(synth.hold_music(rate)))
    if kind == "beep":  # the conference beep, as a ref (the mixer uses it for `beep` events)
        key = key + (config.beep_hz, config.beep_seconds)
        return _cached(_generated, key, lambda: to_int16(synth.beep(config)))
    raise AudioError(f"unknown AudioRef kind {kind!r}")


def _check_seconds(ref: dict, config) -> None:
    """Generated audio is bounded like files: no tone of a billion seconds."""
    limit = getattr(config, "max_audio_seconds", None)
    seconds = ref.get("seconds")
    if limit is not None and seconds is not None and not 0 <= float(seconds) <= limit:
        raise AudioError(f"{ref.get('kind')} of {seconds} seconds is outside 0..max_audio_seconds "
                         f"({limit:g})")


def _bounded(samples: np.ndarray, config) -> np.ndarray:
    limit = getattr(config, "max_audio_seconds", None)
    if limit is not None and len(samples) > limit * config.sample_rate:
        raise AudioError(f"audio of {len(samples) / config.sample_rate:.0f} seconds is over "
                         f"max_audio_seconds ({limit:g})")
    return samples


def load_sound(ref: dict, config: EmulatorConfig, tts: str | None = None) -> Sound:
    """An AudioRef as a Sound (samples + where it loops back to)."""
    if not isinstance(ref, dict):
        raise AudioError(f"AudioRef must be a dict, got {type(ref).__name__}")
    tts = tts or default_tts()
    n = repeats(ref)
    if ref.get("kind") == "playlist":
        parts: list[np.ndarray] = []
        loop_from: int | None = None
        for item in ref.get("items") or []:
            s = load_sound(item, config, tts)
            if s.endless:  # nothing after an endless item is ever reached
                loop_from = sum(len(p) for p in parts) + (s.loop_from or 0)  # endless: set
                parts.append(s.samples)
                break
            parts.append(s.samples)
        once = np.concatenate(parts) if parts else np.zeros(0, np.int16)
        if loop_from is not None:
            return Sound(once, loop_from)
    else:
        once = _bounded(_one_pass(ref, config, tts), config)
    if n is None:
        return Sound(once, 0)
    if n > 1:
        limit = getattr(config, "max_audio_seconds", None)
        if limit is not None and len(once) * n > limit * config.sample_rate:
            raise AudioError(f"audio looped {n} times is over max_audio_seconds ({limit:g})")
    return Sound(np.tile(once, n) if n > 1 else once)


def load(ref: dict, config: EmulatorConfig, tts: str | None = None) -> np.ndarray:
    """int16 mono samples at ``config.sample_rate``, read-only.  For an endless ref this is
    everything up to the end of its first period (what loops is ``load_sound(...).loop_from``)."""
    return load_sound(ref, config, tts).samples


def audio_duration(ref: dict, config: EmulatorConfig, tts: str | None = None) -> float | None:
    """Seconds the ref plays; None = endless.  Always ``len(load(ref)) / sample_rate``."""
    s = load_sound(ref, config, tts)
    return None if s.endless else len(s.samples) / config.sample_rate


# --- encoding ---------------------------------------------------------------------------------
def _as_int16_frames(samples) -> np.ndarray:
    x = np.asarray(samples)
    if x.dtype != np.int16:
        x = to_int16(x) if x.dtype.kind == "f" else np.clip(x, -32768, 32767).astype(np.int16)
    return x


def encode_wav(samples: ArrayLike, channels: int = 1, sample_rate: int = 8000) -> bytes:
    """RIFF/WAVE, 16-bit PCM, a plain 44-byte header (written by hand so the bytes depend on
    nothing but the samples).  ``samples``: (n,) or (n, channels) int16; float is scaled."""
    x = _as_int16_frames(samples)
    if x.ndim == 2:
        channels = x.shape[1]
    elif channels != 1:
        x = x.reshape(-1, channels)  # interleaved input
    data = np.ascontiguousarray(x, dtype="<i2").tobytes()
    block = 2 * channels
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block, block, 16)
    header += b"data" + struct.pack("<I", len(data))
    return header + data


def mp3_writer_options() -> dict:
    """soundfile keyword arguments for Twilio-like MP3 (CBR, 32 kbps at 8 kHz)."""
    return {"format": "MP3", "bitrate_mode": "CONSTANT", "compression_level": MP3_COMPRESSION_LEVEL}


def encode_mp3(samples: ArrayLike, sample_rate: int = 8000) -> bytes:
    """MP3 bytes (mono or (n, 2) stereo) through libsndfile's LAME encoder."""
    x = _as_int16_frames(samples)
    channels = 1 if x.ndim == 1 else x.shape[1]
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", sample_rate, channels, **mp3_writer_options()) as f:
        f.write(x)
    return buf.getvalue()
