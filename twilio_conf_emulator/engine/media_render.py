"""Engine-side glue between the ``media_events`` rows and the mixer.

Reads the timeline a render needs (the conference's events plus the call events of everyone
who was in it), turns rows into ``MediaEvent`` objects and calls ``media.mixer``.  Pure
functions of the rows: the same scenario gives the same bytes.

No Flask and no wall clock here; numpy only through ``media``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sqlalchemy import or_

from ..media import timeline as tl
from ..store.models import MediaEventRow

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import Session

    from ..config import EmulatorConfig
    from ..store.models import Recording
    from .heard_cache import HeardCache

TRIM_THRESHOLD = 32  # the mixer's trim-silence threshold (int16 magnitude, about -60 dBFS)


class RecordingRow(Protocol):
    """What rendering reads of a recording: its row, or a snapshot of it taken under the lock."""

    sid: str
    source: str
    conference_sid: str | None
    call_sid: str | None
    start_time: float | None
    options: dict[str, Any] | None


def _session(db: Session | None) -> Session:
    if db is None:  # the callers that render outside the lock give the events
        raise ValueError("no events given and no session to read them from")
    return db


def _conference_of(rec: RecordingRow) -> str:
    if rec.conference_sid is None:
        raise ValueError(f"{rec.sid} is not a conference recording")
    return rec.conference_sid


def _call_of(rec: RecordingRow) -> str:
    if rec.call_sid is None:
        raise ValueError(f"{rec.sid} is not a call recording")
    return rec.call_sid


# --- reading the timeline -------------------------------------------------------------------
def _rows(db: Session, conference_sids: Sequence[str | None] = (),
          call_sids: Sequence[str | None] = ()) -> list[MediaEventRow]:
    conds = []
    if conference_sids:
        conds.append(MediaEventRow.conference_sid.in_(list(conference_sids)))
    if call_sids:
        conds.append(MediaEventRow.call_sid.in_(list(call_sids)))
    if not conds:
        return []
    return db.query(MediaEventRow).filter(or_(*conds)).order_by(MediaEventRow.id).all()


def _event(r: MediaEventRow) -> tl.MediaEvent:
    return tl.MediaEvent(t=r.t, kind=r.kind, call_sid=r.call_sid, conference_sid=r.conference_sid,
                         data=dict(r.data or {}))


def events_for_conferences(db: Session, conference_sids: Sequence[str | None]) -> list[tl.MediaEvent]:
    """Every event of the conferences, plus every call event of every call that entered one
    (its answer carries its voice, its hang-up cuts it)."""
    rows = _rows(db, conference_sids=conference_sids)
    calls = sorted({r.call_sid for r in rows if r.kind == tl.CONF_ENTER and r.call_sid})
    rows = _rows(db, conference_sids=conference_sids, call_sids=calls)
    return [_event(r) for r in rows]


def events_for_call(db: Session, call_sid: str | None) -> list[tl.MediaEvent]:
    """What rendering ``call_sid`` needs: its own events and those of its conferences."""
    own = _rows(db, call_sids=[call_sid])
    confs = sorted({r.conference_sid for r in own if r.kind == tl.CONF_ENTER and r.conference_sid})
    if not confs:
        return [_event(r) for r in own]
    return events_for_conferences(db, confs)  # includes every event of this call


# --- helpers --------------------------------------------------------------------------------
def _clip16(acc: np.ndarray) -> np.ndarray:
    return np.clip(acc, -32768, 32767).astype(np.int16)


def _loud_frames(x: np.ndarray, spf: int, threshold: int = TRIM_THRESHOLD) -> np.ndarray:
    """Per 20 ms frame (a trailing partial frame counts as one): is any sample on any
    channel louder than ``threshold``?  From per-frame extremes of the int16 data."""
    n = len(x)
    flat = x.reshape(n, -1)
    whole = n // spf * spf

    def judge(part: np.ndarray, frames: int) -> Any:
        v = part.reshape(frames, -1)
        return ((v.max(axis=1).astype(np.int32) > threshold)
                | (v.min(axis=1).astype(np.int32) < -threshold))

    loud = judge(flat[:whole], whole // spf) if whole else np.zeros(0, bool)
    if whole < n:
        loud = np.append(loud, judge(flat[whole:], 1))
    return loud


def _trim(x: np.ndarray, config: EmulatorConfig, threshold: int = TRIM_THRESHOLD) -> np.ndarray:
    """Trim-silence: drop the leading and trailing 20 ms frames in which no sample (on any
    channel) is louder than ``threshold``.  Whole frames, so a tone's zero crossing at
    either end is never taken for silence.  Works on per-frame extremes of the int16 data
    (no wide copy of a long recording)."""
    n = len(x)
    if not n:
        return x
    spf = tl.samples_per_frame(config)
    idx = np.flatnonzero(_loud_frames(x, spf, threshold))
    if not len(idx):
        return x[:0]
    return x[idx[0] * spf: min(n, (idx[-1] + 1) * spf)]


def _mono(x: np.ndarray) -> np.ndarray:
    if x.ndim == 2:
        return _clip16(x.astype(np.int32).sum(axis=1))
    return x


def has_sound(x: np.ndarray, threshold: int = TRIM_THRESHOLD) -> bool:
    return bool(len(x)) and int(np.abs(x.astype(np.int32)).max()) > threshold


def wav_bytes(x: np.ndarray, config: EmulatorConfig) -> bytes:
    from ..media.audio import encode_wav

    return encode_wav(x, sample_rate=config.sample_rate)


def mp3_bytes(x: np.ndarray, config: EmulatorConfig) -> bytes:
    from ..media.audio import encode_mp3

    return encode_mp3(x, sample_rate=config.sample_rate)


def decode_wav(data: bytes) -> np.ndarray:
    import soundfile as sf

    x, _ = sf.read(io.BytesIO(data), dtype="int16")
    return x


# --- what a call heard ----------------------------------------------------------------------
def call_heard(db: Session | None, config: EmulatorConfig, call_sid: str, end: float | None = None,
               events: Sequence[tl.MediaEvent] | None = None, now: float | None = None,
               cache: HeardCache | None = None) -> np.ndarray:
    """int16 mono: what ``call_sid`` heard from its answer to its end (``end`` seconds: a
    live call is cut there). ``now``: where the other calls still up would be cut, so they
    are rendered in the same pass; ``cache``: a dict kept by the caller (see heard_cache)."""
    from .heard_cache import heard

    if events is None:
        events = events_for_call(_session(db), call_sid)
    return heard({} if cache is None else cache, config, events, call_sid, end, now)


def call_audio_wav(db: Session | None, config: EmulatorConfig, call_sid: str, end: float | None = None,
                   events: Sequence[tl.MediaEvent] | None = None, now: float | None = None,
                   cache: HeardCache | None = None) -> bytes:
    return wav_bytes(call_heard(db, config, call_sid, end, events, now, cache), config)


# --- recordings -----------------------------------------------------------------------------
def render_conference_recording(db: Session | None, config: EmulatorConfig, rec: RecordingRow, channels: int = 1,
                                end: float | None = None, events: Sequence[tl.MediaEvent] | None = None) -> np.ndarray:
    """The conference recording ``rec`` as int16, trimmed as it asked; ``channels=1`` is
    the mono mix (Twilio's default download), 2 the dual file (when recorded dual)."""
    from ..media import mixer

    if events is None:
        events = events_for_conferences(_session(db), [rec.conference_sid])
    x = mixer.render_recording(events, _conference_of(rec), config, rec.sid, end=end, trim=False)
    if (rec.options or {}).get("trim", True):
        x = _trim(x, config)
    return _mono(x) if channels == 1 else x


def conference_recording_mono_wav(db: Session | None, config: EmulatorConfig, rec: RecordingRow,
                                  events: Sequence[tl.MediaEvent] | None = None) -> tuple[bytes, int, bool]:
    """``(wav bytes, samples, sound)`` of the mono conference recording, trimmed as it
    asked; ``sound``: whether any frame is louder than the trim threshold.
    Built chunk by chunk from the mixer (no whole-recording wide copies): peak memory is
    about twice the file."""
    from ..media import mixer

    if events is None:
        events = events_for_conferences(_session(db), [rec.conference_sid])
    _, chunks = mixer.iter_recording(events, _conference_of(rec), config, rec.sid)
    spf = tl.samples_per_frame(config)
    parts, loud = [], []
    for c in chunks:
        loud.append(_loud_frames(c, spf))  # judged on every channel, as the dual file is
        parts.append(_mono(c))
    n = sum(len(p) for p in parts)
    lo, hi = 0, n
    idx = np.flatnonzero(np.concatenate(loud)) if loud else np.zeros(0, int)
    if (rec.options or {}).get("trim", True):
        lo, hi = (idx[0] * spf, min(n, (idx[-1] + 1) * spf)) if len(idx) else (0, 0)
    out, pos = [], 0
    for p in parts:
        a, b = max(lo - pos, 0), min(hi - pos, len(p))
        if b > a:
            out.append(np.ascontiguousarray(p[a:b], dtype="<i2").tobytes())
        pos += len(p)
    data_len = 2 * (hi - lo)
    import struct

    rate = config.sample_rate
    header = b"RIFF" + struct.pack("<I", 36 + data_len) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", data_len)
    return b"".join([header] + out), hi - lo, bool(len(idx))


def conference_recorded_seconds(db: Session | None, config: EmulatorConfig, rec: RecordingRow, end: float | None = None,
                                events: Sequence[tl.MediaEvent] | None = None) -> float:
    """Virtual seconds recorded (skip-pauses excluded), before trimming."""
    from ..media import mixer

    if events is None:
        events = events_for_conferences(_session(db), [rec.conference_sid])
    return mixer.recording_duration(events, _conference_of(rec), config, rec.sid, end=end)


def _tracks_and_pauses(config: EmulatorConfig, rec: RecordingRow, said: np.ndarray,
                       heard: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RecordingTrack (inbound: what the call said; outbound: what it heard) and the
    REST pauses (``silence`` zeroes them, ``skip`` cuts them out)."""
    opts = rec.options or {}
    track = opts.get("track", "both")
    if track == "inbound":
        heard = np.zeros_like(heard)
    elif track == "outbound":
        said = np.zeros_like(said)
    cut = []
    for at, until, behavior in opts.get("pauses") or []:
        a = max(0, int(round((at - rec.start_time) * config.sample_rate)))
        b = len(said) if until is None else int(round((until - rec.start_time)
                                                      * config.sample_rate))
        b = min(b, len(said))
        if b <= a:
            continue
        if behavior == "skip":
            cut.append((a, b))
        else:
            said[a:b] = 0
            heard[a:b] = 0
    if cut:
        keep = np.ones(len(said), bool)
        for a, b in cut:
            keep[a:b] = False
        said, heard = said[keep], heard[keep]
    return said, heard


def render_call_recording(db: Session | None, config: EmulatorConfig, rec: RecordingRow, channels: int = 1,
                          events: Sequence[tl.MediaEvent] | None = None) -> np.ndarray:
    """A call recording (``Record=true``): what the call said plus what it heard, from
    ``rec.start_time`` to the end of the call.  Dual: channel 1 = what the call said
    (its own voice), channel 2 = what it heard."""
    from ..media import mixer
    from ..media.scene import index_calls

    if events is None:
        events = events_for_call(_session(db), rec.call_sid)
    calls = index_calls(events, config)
    info = calls.get(_call_of(rec))
    end = (rec.options or {}).get("end_time")
    a0, b0 = mixer.call_window(events, _call_of(rec), config, start=rec.start_time, end=end,
                               calls=calls)
    heard = mixer.render_call(events, _call_of(rec), config, start=rec.start_time, end=end)
    said = np.zeros(len(heard), np.int32)
    if info is not None and info.voice is not None and len(heard):
        info.voice.add_into(said, a0, a0, a0 + len(heard))
    said, heard = _tracks_and_pauses(config, rec, said, heard)
    if channels == 2:
        x = np.stack([_clip16(said), heard], axis=1)
    else:
        x = _clip16(said + heard.astype(np.int32))
    if (rec.options or {}).get("trim", True):
        x = _trim(x, config)
    return x


def recording_events(db: Session, rec: Recording) -> list[tl.MediaEvent]:
    """Everything rendering ``rec`` needs, read under the lock; render it outside."""
    if rec.source == "Conference":
        return events_for_conferences(db, [rec.conference_sid])
    return events_for_call(db, rec.call_sid)


def render_recording(db: Session | None, config: EmulatorConfig, rec: RecordingRow, channels: int = 1,
                     events: Sequence[tl.MediaEvent] | None = None) -> np.ndarray:
    if rec.source == "Conference":
        return render_conference_recording(db, config, rec, channels, events=events)
    return render_call_recording(db, config, rec, channels, events=events)
