"""The mix-minus conference mixer, call audio and conference recordings.

For a window [a, b) of absolute samples (a chunk; any size, results do not depend on it):

    bus      = Σ voices routed to the bus (jitter-delayed) + conference announcements + beeps
    listener = bus - its own routed voice          while it hears the bus
             + voices of coaches coaching it       (never on the bus, never recorded)
             + its wait / hold clip                while waiting / held (instead of the bus)
             + its private announcements
    then clipped to int16.

The bus is summed once per chunk and each listener costs one subtraction, so below clipping
a listener's output is exactly the integer sum of everything else it may hear.  Arithmetic
is int32 unless int16 is provably exact: the bus is summed in int16 when its sources' peaks
add up to less than full scale, and a listener's subtraction runs in int16 when the bus
range plus its own peak fits (the usual case: few people talk at once); clipping is then
skipped.  Muted listeners all hear the same clipped bus, computed once per chunk.

Python loops run per chunk, per participant and per run of constant state, never per frame or
sample; memory is O(chunk x listeners asked for), whatever the conference's length.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import soundfile as sf

from . import timeline as tl
from .audio import encode_mp3, encode_wav, mp3_writer_options
from .scene import CallInfo, build_recordings, build_scene, index_calls, last_sample

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig

Events = Sequence[tl.MediaEvent]  # a conference's media timeline

CHUNK_SECONDS = 5.0
# Trim-silence: a sample counts as sound when |x| > this (int16; 32 is about -60 dBFS).
TRIM_THRESHOLD = 32
I16_MIN, I16_MAX = -32768, 32767
_LO32, _HI32 = np.int32(I16_MIN), np.int32(I16_MAX)


class ConferenceMixer:
    """Renders one conference's listeners and bus over any window of absolute samples."""

    def __init__(self, events: Events, conference_sid: str, config: EmulatorConfig, *, calls: dict[str, CallInfo] | None = None,
                 record_beeps: bool = True, tts: str | None = None) -> None:
        self.config = config
        self.calls = calls if calls is not None else index_calls(events, config, tts)
        self.scene = build_scene(events, conference_sid, config, self.calls, record_beeps=record_beeps, tts=tts)
        self._scratch = np.zeros(0, np.int32)

    # --- the bus --------------------------------------------------------------------------
    def bus_sources(self, a: int, b: int, recorded: bool = False) -> list:
        """``(call_sid | None, clip, lo, hi)`` for everything on the bus over [a, b).
        ``recorded`` leaves out what the recording leaves out (beeps, if so configured)."""
        src = []
        for p in self.scene.participants.values():
            for lo, hi, target, clip in p.route.overlapping(a, b):
                if target is None:
                    src.append((p.call_sid, clip, lo, hi))
        for clip, is_recorded in self.scene.conf_clips:
            if (is_recorded or not recorded) and clip.overlaps(a, b):
                src.append((None, clip, a, b))
        return src

    def bus(self, a: int, b: int, *, recorded: bool = False, isolate: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """``(bus, iso)`` over [a, b).  ``iso`` is None, or with ``isolate`` that
        participant's contribution alone (dual-channel recordings), int32.

        The bus is int16 when the sum of its sources' peaks fits int16 (then it is exact and
        numpy adds without casting, several times faster), int32 otherwise."""
        sources = self.bus_sources(a, b, recorded)
        n = b - a
        fits = sum(clip.peak for _, clip, _, _ in sources) <= I16_MAX
        acc = np.zeros(n, np.int16 if fits else np.int32)
        iso = np.zeros(n, np.int32) if isolate is not None else None
        for sid, clip, lo, hi in sources:
            clip.add_into(acc, a, lo, hi)
            if iso is not None and sid == isolate:
                clip.add_into(iso, a, lo, hi)
        return acc, iso

    def hears_anything(self, call_sid: str, a: int, b: int) -> bool:
        p = self.scene.participants.get(call_sid)
        return p is not None and bool(p.mode.overlapping(a, b) or any(c.overlaps(a, b) for c in p.private))

    # --- listeners ------------------------------------------------------------------------
    def mix(self, a: int, b: int, listeners: Iterable[str], out: np.ndarray | None = None) -> np.ndarray:
        """int16 array (len(listeners), b - a): what each listed call heard over [a, b)."""
        n = b - a
        listeners = list(listeners)
        if out is None:
            out = np.empty((len(listeners), n), np.int16)
        if len(self._scratch) < n:
            self._scratch = np.empty(n, np.int32)
        acc = self._scratch[:n]
        bus = bus16 = None
        bus_lo = bus_hi = 0
        parts = self.scene.participants
        for row, sid in enumerate(listeners):
            o = out[row]
            p = parts.get(sid)
            modes = p.mode.overlapping(a, b) if p is not None else []
            private = [c for c in p.private if c.overlaps(a, b)] if p is not None else []
            if not modes and not private:
                o.fill(0)
                continue
            bus_runs = [(lo, hi) for lo, hi, kind, _ in modes if kind == "bus"]
            if bus_runs and bus is None:
                bus, _ = self.bus(a, b)
                bus_lo, bus_hi = int(bus.min()), int(bus.max())
                # The bus as a silent listener hears it; when it fits int16 (nobody is
                # clipping) it is also exact, and mix-minus can run in int16.
                bus16 = bus if bus.dtype == np.int16 else _to16(bus)
            # Own voice on the bus: route runs with no coaching target (always inside bus runs).
            own = [(lo, hi, clip) for lo, hi, target, clip in p.route.overlapping(a, b) if target is None]  # type: ignore[union-attr]  # p has runs here
            coaches = []
            for lane in self.scene.coached.get(sid, ()):
                for lo, hi, clip in lane.overlapping(a, b):
                    for blo, bhi in bus_runs:  # a coach is heard only while the target hears the bus
                        if max(lo, blo) < min(hi, bhi):
                            coaches.append((max(lo, blo), min(hi, bhi), clip))
            whole_bus = len(bus_runs) == 1 and bus_runs[0] == (a, b)
            if whole_bus and not coaches and not private:
                if not own:
                    # A silent listener (muted, most of a big conference) hears the bus
                    # itself, clipped once per chunk: a plain copy.
                    o[:] = bus16
                    continue
                peak = max(c.peak for _, _, c in own)
                if bus_lo - peak >= I16_MIN and bus_hi + peak <= I16_MAX:
                    # bus and bus - own provably fit int16: subtract in int16, exactly,
                    # straight into the output (4x faster than int32 -> int16).
                    _bus_minus_own(bus16, own, o, a, a, b)
                    continue
            if not whole_bus:
                acc.fill(0)
            for lo, hi in bus_runs:
                _bus_minus_own(bus, [r for r in own if r[0] < hi and r[1] > lo], acc, a, lo, hi)
            for lo, hi, kind, clip in modes:
                if kind != "bus" and clip is not None:
                    clip.add_into(acc, a, lo, hi)
            for lo, hi, clip in coaches:
                clip.add_into(acc, a, lo, hi)
            for clip in private:
                clip.add_into(acc, a, a, b)
            _clip_into(acc, o)
        return out


def _bus_minus_own(bus, own, dst, origin, lo, hi):
    """dst[k] = bus[k] - own voice[k] over [lo, hi), one pass: the voice pieces are
    subtracted straight into dst and the stretches between them are copied.  The
    arithmetic runs in dst's type: int32 is always exact; the caller picks int16 only when
    bus - own provably fits."""
    pos = lo
    for rlo, rhi, clip in own:
        for p, v in clip.pieces(max(rlo, lo), min(rhi, hi)):
            if p > pos:
                np.copyto(dst[pos - origin : p - origin], bus[pos - origin : p - origin], casting="unsafe")
            o = p - origin
            np.subtract(bus[o : o + len(v)], v, out=dst[o : o + len(v)], dtype=dst.dtype, casting="unsafe")
            pos = p + len(v)
    if hi > pos:
        np.copyto(dst[pos - origin : hi - origin], bus[pos - origin : hi - origin], casting="unsafe")


def _chunks(a: int, b: int, size: int):
    for lo in range(a, b, size):
        yield lo, min(lo + size, b)


def _chunk_samples(config, chunk_seconds: float) -> int:
    spf = tl.samples_per_frame(config)
    return max(spf, int(round(chunk_seconds * config.sample_rate / spf)) * spf)


# --- what a call heard ----------------------------------------------------------------------------
def call_window(events: Events, call_sid: str, config: EmulatorConfig, start: float | None = None, end: float | None = None,
                calls: dict[str, CallInfo] | None = None) -> tuple[int, int]:
    """(first, last) absolute samples render_call covers; (0, 0) if never answered.
    Default: from the answer to the hang-up, or to the latest event if it is still up."""
    calls = calls if calls is not None else index_calls(events, config)
    info = calls.get(call_sid)
    if info is None or info.answer is None:
        return 0, 0
    a = tl.sample_of(start, config) if start is not None else info.answer
    if end is not None:
        b = tl.sample_of(end, config)
    else:
        b = info.end if info.end is not None else last_sample(events, config)
    return a, max(a, b)


def iter_call(events: Events, call_sid: str, config: EmulatorConfig, start: float | None = None, end: float | None = None, *,
              chunk_seconds: float = CHUNK_SECONDS, record_beeps: bool = True, tts: str | None = None) -> Iterator[np.ndarray]:
    """Yield int16 chunks of what the call heard: IVR prompts, wait and hold audio, the
    conference minus itself, announcements.  Joined end to end they are ``render_call``."""
    calls = index_calls(events, config, tts)
    a0, b0 = call_window(events, call_sid, config, start, end, calls)
    info = calls.get(call_sid)
    mixers = [
        ConferenceMixer(events, cs, config, calls=calls, record_beeps=record_beeps, tts=tts)
        for cs in (info.conferences if info else [])
    ]
    for a, b in _chunks(a0, b0, _chunk_samples(config, chunk_seconds)):
        acc = np.zeros(b - a, np.int32)
        for clip in info.plays:  # type: ignore[union-attr]  # a window exists only for a known call
            if clip.overlaps(a, b):
                clip.add_into(acc, a, a, b)
        for m in mixers:
            if m.hears_anything(call_sid, a, b):
                acc += m.mix(a, b, [call_sid])[0]
        heard = np.empty(b - a, np.int16)
        _clip_into(acc, heard)
        yield heard


def render_call(events: Events, call_sid: str, config: EmulatorConfig, start: float | None = None, end: float | None = None,
                **options: Any) -> np.ndarray:
    """What the call heard from its answer to its end, int16 mono at config.sample_rate.
    ``start`` / ``end`` (absolute seconds) narrow or widen the window; options: see iter_call."""
    parts = list(iter_call(events, call_sid, config, start, end, **options))
    return np.concatenate(parts) if parts else np.zeros(0, np.int16)


# --- recordings --------------------------------------------------------------------------------
def _pick_recording(events, conference_sid, config, recording_sid):
    recs = build_recordings(events, conference_sid, config)
    if recording_sid is not None:
        recs = [r for r in recs if r.recording_sid == recording_sid]
    if not recs:
        raise LookupError(f"no recording {recording_sid or ''} in conference {conference_sid}".replace("  ", " "))
    return recs[0]  # recording_sid None: the conference's first recording


def recording_segments(events: Events, conference_sid: str, config: EmulatorConfig, recording_sid: str | None = None,
                       end: float | None = None) -> list:
    """The recorded stretches ``(a, b, silent)`` in absolute samples (skip-pauses removed);
    a recording that is still going is cut at ``end`` (seconds) or the latest event."""
    rec = _pick_recording(events, conference_sid, config, recording_sid)
    stop = tl.sample_of(end, config) if end is not None else last_sample(events, config)
    return rec.segments_until(stop)


def recording_duration(events: Events, conference_sid: str, config: EmulatorConfig, recording_sid: str | None = None,
                       end: float | None = None) -> float:
    """Untrimmed duration in seconds, from the events alone (no rendering)."""
    segs = recording_segments(events, conference_sid, config, recording_sid, end)
    return sum(b - a for a, b, _ in segs) / config.sample_rate


def iter_recording(events: Events, conference_sid: str, config: EmulatorConfig, recording_sid: str | None = None,
                   end: float | None = None, *, chunk_seconds: float = CHUNK_SECONDS, record_beeps: bool = True,
                   tts: str | None = None) -> tuple[dict[str, Any], Iterator[np.ndarray]]:
    """(info, generator of int16 chunks (n,) or (n, 2)), untrimmed.  Channel 1 of a dual
    recording is the first participant to join; channel 2 the rest of the bus."""
    rec = _pick_recording(events, conference_sid, config, recording_sid)
    stop = tl.sample_of(end, config) if end is not None else last_sample(events, config)
    segments = rec.segments_until(stop)
    mixer = ConferenceMixer(events, conference_sid, config, record_beeps=record_beeps, tts=tts)
    first = mixer.scene.first_call_sid
    size = _chunk_samples(config, chunk_seconds)
    info = {
        "recording_sid": rec.recording_sid,
        "channels": rec.channels,
        "trim": rec.trim,
        "start_time": tl.time_of(rec.start, config),
        "samples": sum(b - a for a, b, _ in segments),
    }

    def gen():
        for sa, sb, silent in segments:
            for a, b in _chunks(sa, sb, size):
                if silent:
                    yield np.zeros((b - a, 2) if rec.channels == 2 else b - a, np.int16)
                    continue
                if rec.channels == 2:
                    bus, iso = mixer.bus(a, b, recorded=True, isolate=first)
                    assert iso is not None  # asked for with isolate
                    rest = np.subtract(bus, iso, dtype=np.int32)
                    yield np.stack([_to16(iso), _to16(rest)], axis=1)
                else:
                    bus, _ = mixer.bus(a, b, recorded=True)
                    yield _to16(bus)

    return info, gen()


def _clip_into(acc32, dst16):
    """Saturate an int32 buffer into int16.  Clipping in place in int32 and then casting is
    about twice as fast as np.clip with an int16 ``out`` (which goes through numpy's casting
    buffers); ``acc32`` is scratch and is modified."""
    np.clip(acc32, _LO32, _HI32, out=acc32)
    np.copyto(dst16, acc32, casting="unsafe")


def _to16(x):
    if x.dtype == np.int16:
        return x
    out = np.empty(x.shape, np.int16)
    _clip_into(np.array(x, dtype=np.int32), out)
    return out


def _loud(chunk, threshold):
    """Indices of samples louder than the threshold on any channel."""
    x = np.abs(chunk.astype(np.int32))
    if x.ndim == 2:
        x = x.max(axis=1)
    return np.flatnonzero(x > threshold)


def render_recording(events: Events, conference_sid: str, config: EmulatorConfig, recording_sid: str | None = None, *,
                     end: float | None = None, trim: bool | None = None, trim_threshold: int = TRIM_THRESHOLD,
                     **options: Any) -> np.ndarray:
    """The conference recording as int16 (n,) or (n, 2).  ``trim`` None = what the record
    event asked for; trim-silence drops leading and trailing samples with |x| <= threshold."""
    info, chunks = iter_recording(events, conference_sid, config, recording_sid, end, **options)
    parts = list(chunks)
    shape = (0, 2) if info["channels"] == 2 else (0,)
    x = np.concatenate(parts) if parts else np.zeros(shape, np.int16)
    if info["trim"] if trim is None else trim:
        loud = _loud(x, trim_threshold)
        x = x[loud[0] : loud[-1] + 1] if len(loud) else x[:0]
    return x


def stream_recording_to(path: str, events: Events, conference_sid: str, config: EmulatorConfig, recording_sid: str | None = None, *,
                        end: float | None = None, trim: bool | None = None, trim_threshold: int = TRIM_THRESHOLD,
                        format: str | None = None, **options: Any) -> dict:
    """Write the recording to ``path`` chunk by chunk (memory: one chunk x participants).
    Trim-silence takes a first pass that only measures, then writes [first loud, last loud].
    Returns the info dict plus ``duration`` (seconds written) and ``frames``."""
    info, chunks = iter_recording(events, conference_sid, config, recording_sid, end, **options)
    do_trim = info["trim"] if trim is None else trim
    lo, hi = 0, info["samples"]
    if do_trim:
        first: int | None = None
        last = 0
        pos = 0
        for c in chunks:
            loud = _loud(c, trim_threshold)
            if len(loud):
                first = pos + loud[0] if first is None else first
                last = pos + loud[-1]
            pos += len(c)
        lo, hi = (first, last + 1) if first is not None else (0, 0)
        info, chunks = iter_recording(events, conference_sid, config, recording_sid, end, **options)
    written = 0
    with _open_writer(path, config.sample_rate, info["channels"], format) as f:
        pos = 0
        for c in chunks:
            a, b = max(lo - pos, 0), min(hi - pos, len(c))
            if b > a:
                f.write(c[a:b])
                written += b - a
            pos += len(c)
    info.update(frames=written, duration=written / config.sample_rate)
    return info


def recording_bytes(events: Events, conference_sid: str, config: EmulatorConfig, recording_sid: str | None = None, *, fmt: str = "wav",
                    channels: int | None = None, **options: Any) -> bytes:
    """The recording as ``.wav`` or ``.mp3`` bytes.  ``channels=1`` downmixes a dual
    recording (Twilio serves mono unless RequestedChannels=2)."""
    x = render_recording(events, conference_sid, config, recording_sid, **options)
    if channels == 1 and x.ndim == 2:
        x = _to16(x.astype(np.int32).sum(axis=1))
    if fmt == "mp3":
        return encode_mp3(x, config.sample_rate)
    return encode_wav(x, sample_rate=config.sample_rate)


def _open_writer(path, rate, channels, format=None):
    fmt = (format or os.path.splitext(str(path))[1].lstrip(".") or "wav").upper()
    if fmt == "MP3":
        return sf.SoundFile(path, "w", rate, channels, **mp3_writer_options())
    return sf.SoundFile(path, "w", rate, channels, format=fmt, subtype="PCM_16")
