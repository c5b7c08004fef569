"""Speaker events: ``participant-speech-start`` / ``participant-speech-stop`` on the virtual clock.

When a participant with a voice (the AudioRef its phone answered with) joins a conference that
subscribed to ``speaker``, its voice is run through ``media.speech.detect`` (the energy gate:
threshold, attack, hangover from ``EmulatorConfig``) and the events are scheduled:

- ``participant-speech-start`` at the first frame of an utterance, ``participant-speech-stop``
  at the end of its last loud frame plus the hangover (what ``detect`` reports).
- Both are checked when they fire: no start while the participant is muted, on hold, or
  waiting for the conference to start (that whole utterance is then silent: no start later,
  no stop); a stop only after a start was sent.
- A participant muted, held or leaving while speaking gets the stop at that moment
  (``speech_stop_when_silenced``; the utterance's own stop is then dropped).

The voice is analysed from the join onwards, window by window (``speech_window_seconds``),
so a looped voice never needs to be rendered whole: each window is read with a margin on both
sides (hangover + attack) and an utterance still going at a window's end is carried into the
next window (its stop is scheduled once it is known).  Voices are judged as spoken at the
phone (before the participant's jitter buffer).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..media import timeline as tl
from ..store.models import MediaEventRow, Participant
from .conference.events import send_event

if TYPE_CHECKING:  # annotations only
    from ..media.clip import Clip
    from ..store.models import Conference
    from .core import Engine

START, STOP = "participant-speech-start", "participant-speech-stop"


def subscribed(conf: Conference) -> bool:
    opts = conf.options or {}
    return bool(opts.get("status_callback")) and "speaker" in (opts.get("status_callback_events")
                                                               or [])


def _voice_clip(eng: Engine, call_sid: str) -> Clip | None:
    """The call's voice as a media Clip on the absolute sample grid, or None."""
    from ..media.audio import load_sound
    from ..media.clip import Clip

    row = (eng.db.query(MediaEventRow)
           .filter(MediaEventRow.call_sid == call_sid, MediaEventRow.kind == tl.CALL_ANSWERED)
           .order_by(MediaEventRow.id).first())
    ref = (row.data or {}).get("voice") if row is not None else None
    if not ref:
        return None
    offset = float(ref.get("offset", 0.0) or 0.0)
    return Clip(load_sound(ref, eng.config), tl.sample_of(row.t + offset, eng.config))


def on_join(eng: Engine, conf: Conference, part: Participant) -> None:
    """Schedule the speaker events of ``part``'s voice from now on (if anyone listens)."""
    if not subscribed(conf):
        return
    clip = _voice_clip(eng, part.call_sid)
    if clip is None:
        return
    part.options = {**(part.options or {}), "speaking": False}
    join = tl.sample_of(eng.now(), eng.config)
    _window(eng, part.id, clip, join, join, None)


def _window(eng: Engine, part_id: int, clip: Clip, join: int, w0: int, carry: float | None) -> None:
    """Analyse the owned stretch [w0, w1) (absolute samples) and schedule what it holds.
    ``carry``: the provisional stop (seconds) of an utterance still going at the last
    window's end, whose start was already scheduled."""
    from ..media import speech

    cfg = eng.config
    rate = cfg.sample_rate
    spf = tl.samples_per_frame(cfg)
    frames = max(1, int(round(cfg.speech_window_seconds * 1000 / cfg.frame_ms)))
    w1 = w0 + frames * spf
    margin = (math.ceil(cfg.speech_hangover_ms / cfg.frame_ms)
              + math.ceil(cfg.speech_attack_ms / cfg.frame_ms) + 2) * spf
    a = max(join, w0 - margin)
    end = clip.end
    b = w1 + margin if end is None else min(w1 + margin, max(end, a))
    acc = np.zeros(max(0, b - a), np.int32)
    clip.add_into(acc, a, a, b)
    spans = speech.detect(np.clip(acc, -32768, 32767).astype(np.int16), cfg)
    data_end = b / rate
    ends_here = end is not None and end <= b  # nothing is heard after the data: stops are final

    plan = []  # (time, kind)
    prev, carry = carry, None
    for s_rel, e_rel in spans:
        s, e = a / rate + s_rel, a / rate + e_rel
        final = ends_here or e <= data_end
        if prev is not None and s <= prev:
            # The utterance carried from the last window goes on (or ends) here.
            prev = None
            if final:
                plan.append((e, STOP))
            else:
                carry = e
            continue
        if s < w0 / rate or s >= w1 / rate:
            continue  # owned by the previous / next window
        if prev is not None:  # the carried utterance ended before this one
            plan.append((prev, STOP))
            prev = None
        plan.append((s, START))
        if final:
            plan.append((e, STOP))
        else:
            carry = e
    if prev is not None:  # nothing more of it in this window's data: it ended
        plan.append((prev, STOP))
    for t, kind in plan:
        eng.at(max(t, eng.now()), lambda k=kind: _fire(eng, part_id, k), f"{kind} {part_id}")
    if end is not None and w1 >= end and carry is None:
        return
    eng.at(w1 / rate, lambda: _next(eng, part_id, clip, join, w1, carry),
           f"speech window {part_id}")


def _next(eng: Engine, part_id: int, clip: Clip, join: int, w0: int, carry: float | None) -> None:
    part = eng.db.get(Participant, part_id)
    if part is None or not part.active:
        return
    _window(eng, part_id, clip, join, w0, carry)


def _fire(eng: Engine, part_id: int, kind: str) -> None:
    part = eng.db.get(Participant, part_id)
    if part is None or not part.active or part.status != "connected":
        return
    conf = part.conference
    speaking = bool((part.options or {}).get("speaking"))
    if kind == START:
        if speaking or part.muted or part.hold or conf.status != "in-progress":
            return
    elif not speaking:
        return
    part.options = {**(part.options or {}), "speaking": kind == START}
    send_event(eng, conf, kind, part)


def on_silenced(eng: Engine, conf: Conference, part: Participant) -> None:
    """``part`` is muted, put on hold or leaves now: end an utterance in progress."""
    if not (part.options or {}).get("speaking"):
        return
    part.options = {**(part.options or {}), "speaking": False}
    if eng.config.speech_stop_when_silenced:
            send_event(eng, conf, STOP, part)
