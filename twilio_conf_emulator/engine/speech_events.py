"""Speaker events: ``participant-speech-start`` / ``participant-speech-stop`` on the virtual clock.

When a participant with a voice (the AudioRef its phone answered with) joins a conference that
subscribed to ``speaker``, its voice is run through ``media.speech.detect`` (the energy gate:
threshold, attack, hangover from ``EmulatorConfig``) and the events are scheduled:

- ``participant-speech-start`` at the first frame of an utterance, ``participant-speech-stop``
  at the end of its last loud frame plus the hangover (what ``detect`` reports).
- Both are checked when they fire: no start while the participant is muted, on hold, or
  waiting for the conference to start; a stop only after a start was sent.
- A participant muted, held or leaving while speaking gets the stop at that moment
  (``speech_stop_when_silenced``; the utterance's own stop is then dropped).
- A participant that becomes audible mid-utterance (unmuted, unheld, or the conference starts
  while it waits) gets the start at that moment (:func:`on_audible`): ``talking`` follows the
  voice whatever is heard, ``speaking`` what was reported.

The voice is analysed from the join onwards, window by window (``speech_window_seconds``),
so a looped voice never needs to be rendered whole: each window is read with a margin on both
sides (hangover + attack) and an utterance still going at a window's end is carried into the
next window (its stop is scheduled once it is known).  Voices are judged as spoken at the
phone (before the participant's jitter buffer).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..media import timeline as tl
from ..store.models import MediaEventRow, Participant
from .actions import stored
from .conference.events import send_event

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig
    from ..media.clip import Clip
    from ..store.models import Conference
    from .core import Engine

START, STOP = "participant-speech-start", "participant-speech-stop"
# A window's analysis: its events [(time, kind)], the carried provisional stop, its end sample.
Analysed = tuple[list[tuple[float, str]], "float | None", int]


def subscribed(conf: Conference) -> bool:
    opts = conf.options or {}
    return bool(opts.get("status_callback")) and "speaker" in (opts.get("status_callback_events")
                                                               or [])


def _voice_ref(eng: Engine, call_sid: str) -> tuple[dict | None, float | None]:
    """The call's voice (AudioRef) and when it starts (virtual seconds), or (None, None)."""
    row = (eng.db.query(MediaEventRow)
           .filter(MediaEventRow.call_sid == call_sid, MediaEventRow.kind == tl.CALL_ANSWERED)
           .order_by(MediaEventRow.id).first())
    ref = (row.data or {}).get("voice") if row is not None else None
    if not ref or row is None:
        return None, None
    return ref, row.t + float(ref.get("offset", 0.0) or 0.0)


def on_join(eng: Engine, conf: Conference, part: Participant) -> None:
    """Schedule the speaker events of ``part``'s voice from now on (if anyone listens).
    The voice is loaded and analysed outside the lock (``Engine.offload``); the events are
    scheduled when that is done, at the same virtual instant."""
    if not subscribed(conf):
        return
    ref, start = _voice_ref(eng, part.call_sid)
    if ref is None:
        return
    part.options = {**(part.options or {}), "speaking": False, "talking": False}
    part_id = part.id
    join = tl.sample_of(eng.now(), eng.config)
    _offload_window(eng, part_id, part.call_sid, join, join, None)


def _offload_window(eng: Engine, part_id: int, call_sid: str, join: int, w0: int,
                    carry: float | None) -> None:
    """Analyse the window from ``w0`` outside the lock, then schedule its events. The voice
    is loaded once per join and kept in memory; after a restart it is loaded again."""
    cfg = eng.config
    clips = eng.memory("speech-clips")
    key = f"{part_id}:{call_sid}:{join}"
    clip = clips.get(key)
    ref, start = (None, None) if clip is not None else _voice_ref(eng, call_sid)
    if clip is None and ref is None:
        return

    def load_and_analyse() -> tuple[Clip, Analysed]:
        from ..media.audio import load_sound
        from ..media.clip import Clip

        if clip is not None:
            got = clip
        else:
            assert ref is not None
            got = Clip(load_sound(ref, cfg), tl.sample_of(float(start or 0.0), cfg))
        return got, _analyse(cfg, got, join, w0, carry)

    def then(done: tuple[Clip, Analysed]) -> None:
        clips[key] = done[0]
        _schedule(eng, part_id, call_sid, done[0], join, done[1])

    eng.offload(load_and_analyse, then, f"speech window {part_id}")


def _analyse(cfg: EmulatorConfig, clip: Clip, join: int, w0: int,
             carry: float | None) -> Analysed:
    """Analyse the owned stretch [w0, w1) (absolute samples): ``(plan, carry, w1)``, the
    events it holds as (time, kind) and the provisional stop (seconds) of an utterance still
    going at its end.  ``carry`` in: the same from the last window, whose start was already
    scheduled.  Pure numpy: run outside the lock."""
    import numpy as np

    from ..media import speech

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
    return plan, carry, w1


def _schedule(eng: Engine, part_id: int, call_sid: str, clip: Clip, join: int,
              analysed: Analysed) -> None:
    """Under the lock: schedule a window's events, and the next window's analysis (stored
    actions: a restart carries on with them)."""
    plan, carry, w1 = analysed
    part = eng.db.get(Participant, part_id)
    if part is None or not part.active:
        eng.memory("speech-clips").pop(f"{part_id}:{call_sid}:{join}", None)
        return
    rate = eng.config.sample_rate
    for t, kind in plan:
        eng.at(max(t, eng.now()), stored(eng, "speech.event", part_id=part_id, event=kind),
               f"{kind} {part_id}")
    if clip.end is not None and w1 >= clip.end and carry is None:
        eng.memory("speech-clips").pop(f"{part_id}:{call_sid}:{join}", None)
        return
    eng.at(w1 / rate, stored(eng, "speech.window", part_id=part_id, call_sid=call_sid,
                             join=join, w0=w1, carry=carry),
           f"speech window {part_id}")


def next_window(eng: Engine, part_id: int, call_sid: str, join: int, w0: int,
                carry: float | None) -> None:
    """Stored action: the next window of a participant's voice is due for analysis."""
    part = eng.db.get(Participant, part_id)
    if part is None or not part.active:
        eng.memory("speech-clips").pop(f"{part_id}:{call_sid}:{join}", None)
        return
    _offload_window(eng, part_id, call_sid, join, w0, carry)


def fire(eng: Engine, part_id: int, event: str) -> None:
    """Stored action: a speech start/stop of ``part_id``'s voice is due."""
    part = eng.db.get(Participant, part_id)
    if part is None or not part.active or part.status != "connected":
        return
    conf = part.conference
    speaking = bool((part.options or {}).get("speaking"))
    part.options = {**(part.options or {}), "talking": event == START}
    if event == START:
        if speaking or not _audible(part):
            return
    elif not speaking:
        return
    part.options = {**(part.options or {}), "speaking": event == START}
    send_event(eng, conf, event, part)


def _audible(part: Participant) -> bool:
    return bool(part.active and part.status == "connected" and not part.muted
                and not part.hold and part.conference.status == "in-progress")


def on_audible(eng: Engine, conf: Conference, part: Participant) -> None:
    """``part`` can be heard from now (unmuted, unheld, the conference started): if its
    voice is mid-utterance, the start is reported at this moment."""
    opts = part.options or {}
    if not subscribed(conf) or not opts.get("talking") or opts.get("speaking"):
        return
    if not _audible(part):
        return
    part.options = {**opts, "speaking": True}
    send_event(eng, conf, START, part)


def on_silenced(eng: Engine, conf: Conference, part: Participant) -> None:
    """``part`` is muted, put on hold or leaves now: end an utterance in progress."""
    if not (part.options or {}).get("speaking"):
        return
    part.options = {**(part.options or {}), "speaking": False}
    if eng.config.speech_stop_when_silenced:
            send_event(eng, conf, STOP, part)
