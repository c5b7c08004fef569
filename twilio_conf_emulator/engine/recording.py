"""Recordings on the virtual clock: conference recordings and call (``Record=true``) recordings.

Conference recordings (``record-from-start``) begin when the first two participants are
bridged (conference-start) and end with the conference or a ``Status=stopped`` update.
Pause / resume / stop go onto the media timeline as ``record`` events; the audio itself is
rendered by media.mixer from the timeline.

Call recordings (Create Participant / Create Call with ``Record=true``, source
``OutboundAPI``) cover the call from its answer to its end: what it said plus what it heard.

A recording that ends is ``processing`` for an instant; the completion action (scheduled
``soon``) renders the mono WAV once, stores it in the row, fixes the duration and sends the
``completed`` (or ``absent``) recording status callback.  Everything is a function of the
timeline, so the bytes are the same on every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..errors import AudioUnavailable, BadRequest
from ..media.audio import AudioError
from ..store.models import Conference, Recording
from ..timefmt import rfc2822
from .actions import schedule

if TYPE_CHECKING:  # annotations only
    from ..store.models import Call
    from .core import Engine

API_HOST = "https://api.twilio.com"
LIVE = ("in-progress", "paused")
DONE = ("completed", "absent")
ABSENT_TOO_SHORT = 16101  # Twilio: "Recording too short" (nothing was recorded)
ABSENT_SILENT = 16102  # Twilio: "Recording silent"
RENDER_FAILED = AudioUnavailable.code  # the audio cannot be rendered (emulator's choice)


def recording_url(rec: Recording) -> str:
    """RecordingUrl / media_url: absolute, no extension."""
    return f"{API_HOST}/2010-04-01/Accounts/{rec.account_sid}/Recordings/{rec.sid}"


def wants_recording(conf: Conference) -> bool:
    return (conf.options or {}).get("record") in ("record-from-start", "true")


# -- conference recordings -------------------------------------------------------------------
def on_conference_start(eng: Engine, conf: Conference) -> None:
    if not wants_recording(conf):
        return
    opts = conf.options or {}
    now = eng.now()
    channels = 2 if opts.get("recording_channels") == "dual" else 1
    rec = Recording(
        sid=eng.sids.new("RE"), account_sid=conf.account_sid, conference_sid=conf.sid,
        call_sid=None, status="in-progress", source="Conference", channels=channels,
        start_time=now, duration=None, date_created=now, date_updated=now,
        options={
            "trim": opts.get("trim", "trim-silence") == "trim-silence",
            "status_callback": opts.get("recording_status_callback"),
            "status_callback_method": opts.get("recording_status_callback_method") or "POST",
            "status_callback_events": opts.get("recording_status_callback_events") or ["completed"],
        },
    )
    eng.db.add(rec)
    eng.media_event("record", conference_sid=conf.sid, action="start", recording_sid=rec.sid,
                    channels=channels, trim=rec.options["trim"], pause_behavior="silence")
    send_status(eng, rec, "in-progress")


def active_recording(eng: Engine, conf: Conference) -> Recording | None:
    return (eng.db.query(Recording)
            .filter(Recording.conference_sid == conf.sid, Recording.source == "Conference",
                    Recording.status.in_(LIVE))
            .order_by(Recording.date_created.desc())
            .first())


def on_conference_end(eng: Engine, conf: Conference) -> None:
    rec = active_recording(eng, conf)
    if rec is None:
        return
    # conf-end (already on the timeline) closes the recording for the mixer.
    finish(eng, rec)


def update(eng: Engine, conf: Conference, rec: Recording, status: str,
           pause_behavior: str | None = None) -> Any:
    """POST .../Conferences/{CF}/Recordings/{RE}: pause, resume or stop a live recording."""
    if rec.status not in LIVE:
        raise BadRequest(f"Recording {rec.sid} is not in-progress or paused; a recording in "
                         f"state '{rec.status}' cannot be updated", code=21220)
    if status not in ("paused", "in-progress", "stopped"):
        raise BadRequest(f"Status must be paused, in-progress or stopped to update a recording, "
                         f"not {status!r}", code=21220)
    now = eng.now()
    if status == "paused" and rec.status == "in-progress":
        behavior = pause_behavior or "silence"
        eng.media_event("record", conference_sid=conf.sid, action="pause",
                        recording_sid=rec.sid, pause_behavior=behavior)
        rec.status = "paused"
        rec.options = {**(rec.options or {}), "pause_behavior": behavior}
    elif status == "in-progress" and rec.status == "paused":
        eng.media_event("record", conference_sid=conf.sid, action="resume",
                        recording_sid=rec.sid)
        rec.status = "in-progress"
    elif status == "stopped":
        eng.media_event("record", conference_sid=conf.sid, action="stop", recording_sid=rec.sid)
        finish(eng, rec, "stopped")
    rec.date_updated = now
    return rec


# -- call recordings (Record=true) -----------------------------------------------------------
def on_call_answered(eng: Engine, call: Call) -> None:
    opts = call.options or {}
    if not opts.get("record"):
        return
    now = eng.now()
    channels = 2 if opts.get("recording_channels") == "dual" else 1
    rec = Recording(
        sid=eng.sids.new("RE"), account_sid=call.account_sid, conference_sid=None,
        call_sid=call.sid, status="in-progress", source="OutboundAPI", channels=channels,
        start_time=now, duration=None, date_created=now, date_updated=now,
        options={
            "trim": (opts.get("trim") or "trim-silence") == "trim-silence",
            "track": opts.get("recording_track") or "both",
            "status_callback": opts.get("recording_status_callback"),
            "status_callback_method": opts.get("recording_status_callback_method") or "POST",
            "status_callback_events": opts.get("recording_status_callback_events") or ["completed"],
        },
    )
    eng.db.add(rec)
    mark_recorded(eng, call.sid)
    send_status(eng, rec, "in-progress")


def _recorded_calls(eng: Engine) -> set[str]:
    """SIDs of calls that may have a live call recording (any source but a conference): read
    once per session, then kept up to date by :func:`mark_recorded` (a rolled-back one stays
    in: it only costs the query below). Most calls record nothing, and asking the store at
    every hang-up was a sixth of a big conference."""
    known = eng.db.info.get("recorded_calls")
    if known is None:
        known = eng.db.info["recorded_calls"] = set(eng.db.scalars(
            select(Recording.call_sid).where(Recording.source != "Conference",
                                             Recording.status.in_(LIVE))))
    return known


def mark_recorded(eng: Engine, call_sid: str) -> None:
    """Every place that starts a call recording says so, so its end is not skipped."""
    _recorded_calls(eng).add(call_sid)


def on_call_ended(eng: Engine, call: Call) -> None:
    if call.sid not in _recorded_calls(eng):
        return
    recs = (eng.db.query(Recording)
            .filter(Recording.call_sid == call.sid, Recording.source != "Conference",
                    Recording.status.in_(LIVE))
            .all())
    for rec in recs:
        close_pause(rec, eng.now())
        rec.options = {**(rec.options or {}), "end_time": eng.now()}
        finish(eng, rec)


def close_pause(rec: Recording, now: float) -> None:
    """The call ended while paused: the pause runs to the end."""
    opts = dict(rec.options or {})
    pauses = [list(x) for x in opts.get("pauses") or []]
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = now
    opts["pauses"] = pauses
    rec.options = opts


# -- completion --------------------------------------------------------------------------------
def finish(eng: Engine, rec: Recording, status: str = "processing") -> None:
    """The recording stops now; it completes (rendered, called back) in a moment."""
    rec.status = status
    rec.options = {**(rec.options or {}), "stopped_at": eng.now()}
    rec.date_updated = eng.now()
    sid = rec.sid
    schedule(eng, 0, "recording.complete", f"recording {sid}", sid=sid)


def complete(eng: Engine, sid: str) -> None:
    """Render the recording once, store the mono WAV, fix the duration, call back.  The
    timeline is read here; the rendering runs outside the lock (``Engine.offload``).  Audio
    that cannot be rendered ends the recording ``absent`` (:func:`_failed`)."""
    from types import SimpleNamespace

    from . import media_render

    rec = eng.db.get(Recording, sid)
    if rec is None or rec.status in DONE or rec.deleted:
        return
    cfg = eng.config
    stopped = (rec.options or {}).get("stopped_at", eng.now())
    events = media_render.recording_events(eng.db, rec)
    snap = SimpleNamespace(sid=rec.sid, source=rec.source, conference_sid=rec.conference_sid,
                           call_sid=rec.call_sid, start_time=rec.start_time,
                           options=dict(rec.options or {}))

    def render() -> tuple[Any, ...]:
        try:
            if snap.source == "Conference":
                wav, n, sound = media_render.conference_recording_mono_wav(None, cfg, snap,
                                                                           events)
                recorded = media_render.conference_recorded_seconds(None, cfg, snap,
                                                                    end=stopped, events=events)
            else:
                x = media_render.render_recording(None, cfg, snap, channels=1, events=events)
                wav, n, sound = media_render.wav_bytes(x, cfg), len(x), media_render.has_sound(x)
                skipped = sum((u if u is not None else stopped) - a
                              for a, u, b in snap.options.get("pauses") or [] if b == "skip")
                recorded = max(0.0, stopped - snap.start_time - skipped)
        except AudioError as err:
            return ("failed", str(err))
        return wav, n, sound, recorded

    eng.offload(render, lambda rendered: _completed(eng, sid, *rendered), f"recording {sid}")


def _completed(eng: Engine, sid: str, *rendered: Any) -> None:
    rec = eng.db.get(Recording, sid)
    if rec is None or rec.status in DONE or rec.deleted:
        return
    if rendered[0] == "failed":
        _failed(eng, rec, rendered[1])
        return
    wav, n, sound, recorded = rendered
    cfg = eng.config
    seconds = n / cfg.sample_rate if cfg.recording_duration_after_trim else recorded
    if sound:
        rec.status = "completed"
        rec.wav = wav
        rec.duration = _whole(seconds)
        rec.error_code = None
    else:
        rec.status = "absent"
        rec.wav = None
        rec.duration = 0
        rec.error_code = ABSENT_TOO_SHORT if recorded < 1.0 else ABSENT_SILENT
    rec.date_updated = eng.now()
    send_status(eng, rec, rec.status)
    send_record_end(eng, rec)


def _failed(eng: Engine, rec: Recording, reason: str) -> None:
    """The audio cannot be rendered: the recording ends ``absent`` with RENDER_FAILED, its
    callback and an error alert, never ``processing`` forever."""
    rec.status = "absent"
    rec.wav = None
    rec.duration = 0
    rec.error_code = RENDER_FAILED
    rec.date_updated = eng.now()
    eng.alert(rec.account_sid, RENDER_FAILED, f"Recording {rec.sid} failed: {reason}",
              call_sid=rec.call_sid, conference_sid=rec.conference_sid)
    # An app waiting for "completed" must hear that it never will (README Assumptions).
    send_status(eng, rec, "absent", also_for=("completed",))


def send_record_end(eng: Engine, rec: Recording) -> None:
    """The deprecated ``eventCallbackUrl`` gets ``conference-record-end`` when a conference
    recording is ready, unless a ``recordingStatusCallback`` was given (TwiML docs)."""
    if rec.source != "Conference" or rec.status != "completed":
        return
    if (rec.options or {}).get("status_callback"):
        return
    conf = eng.db.get(Conference, rec.conference_sid)
    url = (conf.options or {}).get("event_callback_url") if conf is not None else None
    if not url:
        return
    from ..webhooks.transport import OutboundRequest

    params = [
        ("AccountSid", rec.account_sid),
        ("ConferenceSid", rec.conference_sid),
        ("EventName", "conference-record-end"),
        ("RecordingUrl", recording_url(rec)),
        ("Duration", str(rec.duration or 0)),
        ("RecordingFileSize", str(len(rec.wav or b""))),
    ]
    eng.emit_request(OutboundRequest(url=url, method="POST", params=params,
                                     kind="event-callback"),
                     account_sid=rec.account_sid, conference_sid=rec.conference_sid)


def delete(eng: Engine, rec: Recording) -> None:
    """DELETE a recording: only once it is over (live or stopping: 21220)."""
    if rec.status in LIVE or rec.status in ("stopped", "processing"):
        raise BadRequest(f"Recording {rec.sid} is still {rec.status}; stop it (or end the "
                         "call) before deleting it", code=21220)
    rec.deleted = True
    rec.wav = None
    rec.date_updated = eng.now()


def media(eng: Engine, rec: Any, fmt: str, want_dual: bool,
          url: str | None = None) -> Callable[[], bytes]:
    """A completed recording's file: the stored mono WAV, or MP3 of it; dual channel only
    when asked (``RequestedChannels=2``) of a dual recording, else warning 16113 and mono.
    Returns a function making the bytes: call it after the turn, outside the lock (an MP3
    or a dual render is audio work)."""
    from types import SimpleNamespace

    from . import media_render

    cfg = eng.config
    if want_dual and rec.channels != 2:
        eng.alert(rec.account_sid, 16113, f"Recording {rec.sid} is mono: RequestedChannels=2 "
                  "cannot be honoured, serving mono", level="warning", call_sid=rec.call_sid,
                  conference_sid=rec.conference_sid, url=url)
    if want_dual and rec.channels == 2:
        events = media_render.recording_events(eng.db, rec)
        snap = SimpleNamespace(sid=rec.sid, source=rec.source, conference_sid=rec.conference_sid,
                               call_sid=rec.call_sid, start_time=rec.start_time,
                               options=dict(rec.options or {}))

        def dual() -> bytes:
            try:
                x = media_render.render_recording(None, cfg, snap, channels=2, events=events)
            except AudioError as err:
                raise AudioUnavailable(f"Recording {snap.sid} cannot be rendered: {err}") from None
            return media_render.wav_bytes(x, cfg) if fmt == "wav" else media_render.mp3_bytes(x, cfg)
        return dual
    wav = rec.wav
    if fmt == "wav":
        return lambda: wav
    return lambda: media_render.mp3_bytes(media_render.decode_wav(wav), cfg)


def _whole(seconds: float) -> int:
    return int(math.floor(seconds + 0.5))


# -- recording status callbacks ----------------------------------------------------------------
def status_params(rec: Any, status: str) -> list[tuple[str, str]]:
    """recordingStatusCallback parameters, in Twilio's documented order."""
    p = [("AccountSid", rec.account_sid)]
    if rec.source == "Conference":
        p.append(("ConferenceSid", rec.conference_sid))
    else:
        p.append(("CallSid", rec.call_sid))
    p += [
        ("RecordingSid", rec.sid),
        ("RecordingUrl", recording_url(rec)),
        ("RecordingStatus", status),
    ]
    if status in DONE:
        p.append(("RecordingDuration", str(rec.duration or 0)))
    p += [
        ("RecordingChannels", str(rec.channels)),
        ("RecordingStartTime", rfc2822(rec.start_time)),
        ("RecordingSource", rec.source),
    ]
    if rec.source != "Conference":
        p.append(("RecordingTrack", (rec.options or {}).get("track", "both")))
    if status == "absent" and rec.error_code:
        p.append(("ErrorCode", str(rec.error_code)))
    return p


def send_status(eng: Engine, rec: Recording, status: str, also_for: tuple = ()) -> None:
    """The recording status callback, if ``status`` (or one of ``also_for``) was asked."""
    opts = rec.options or {}
    url = opts.get("status_callback")
    events = opts.get("status_callback_events") or ["completed"]
    if not url or not ({status, *also_for} & set(events)):
        return
    from ..webhooks.transport import OutboundRequest

    eng.emit_request(
        OutboundRequest(url=url, method=opts.get("status_callback_method") or "POST",
                        params=status_params(rec, status), kind="recording-status"),
        account_sid=rec.account_sid, call_sid=rec.call_sid, conference_sid=rec.conference_sid,
    )

