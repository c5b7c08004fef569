"""From media events to runs of constant state: who is heard where, from when to when.

One sweep over the events (in time order; same-frame events in the engine's order) turns
each conference into, per participant:

- **mode runs** ``(a, b, kind, clip)``: what the participant hears.  ``bus`` = the
  conference minus itself; ``wait`` / ``hold`` = that clip only (None = silence).
  Precedence: not present > on hold > waiting (conference not started) > bus.
- **route runs** ``(a, b, target, clip)``: where its (jitter-delayed) voice goes.
  ``target`` None = onto the bus (everyone hears it, it is recorded); a call SID = only that
  participant hears it (coaching).  A voice is routed only while the participant hears the
  bus and is not muted: waiting, held and muted participants contribute nothing.
- **private clips**: announcements to that participant alone (heard in any mode while
  present; a newer one cuts the older).

Runs are half-open absolute sample ranges; ``OPEN`` marks "still going".  State changes
are per participant, so a 250-person conference where everyone toggles mute every 30 s
still costs the mixer a handful of runs per participant per chunk, not a global segment
every few milliseconds.

Also here: per-call facts (answer, end, voice, IVR plays, conferences) and recordings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import states
from . import timeline as tl
from .audio import load_sound
from .clip import Clip

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig

OPEN = 1 << 62  # end of a run that has not ended yet
BEEP_REF = {"kind": "beep"}


class Runs:
    """Non-overlapping half-open runs in time order, with a fast window query."""

    __slots__ = ("items", "_ends")

    def __init__(self) -> None:
        self.items: list[tuple] = []
        self._ends: list[int] | None = None

    def append(self, run: tuple) -> None:
        self.items.append(run)
        self._ends = None

    def overlapping(self, a: int, b: int) -> list[tuple]:
        """Runs meeting [a, b), each clamped to it: ``(lo, hi, *payload)``."""
        if self._ends is None:
            self._ends = [r[1] for r in self.items]
        items = self.items
        i = bisect_right(self._ends, a)
        out = []
        while i < len(items) and items[i][0] < b:
            r = items[i]
            out.append((max(r[0], a), min(r[1], b)) + r[2:])
            i += 1
        return out


@dataclass
class CallInfo:
    call_sid: str
    answer: int | None = None  # absolute sample
    end: int | None = None
    voice: Clip | None = None  # as spoken at the phone (no jitter)
    plays: list = field(default_factory=list)  # IVR <Say>/<Play> clips, each cut by the next
    conferences: list = field(default_factory=list)  # conference SIDs in order of first entry


def _sound(ref, config, tts):
    return load_sound(ref, config, tts) if ref else None


def index_calls(events: Sequence[tl.MediaEvent], config: EmulatorConfig, tts: str | None = None) -> dict[str, CallInfo]:
    """call_sid -> CallInfo, from the call-scoped events."""
    calls: dict[str, CallInfo] = {}
    for e in tl.ordered(events):
        if e.call_sid is None:
            continue
        c = calls.get(e.call_sid)
        if c is None:
            c = calls[e.call_sid] = CallInfo(e.call_sid)
        s = tl.sample_of(e.t, config)
        if e.kind == tl.CALL_ANSWERED and c.answer is None:
            c.answer = s
            ref = (e.data or {}).get("voice")
            if ref:
                offset = float(ref.get("offset", 0.0) or 0.0)
                c.voice = Clip(load_sound(ref, config, tts), tl.sample_of(e.t + offset, config))
        elif e.kind == tl.CALL_ENDED and c.end is None:
            c.end = s
            if c.voice is not None:
                c.voice.cut(s)
            for p in c.plays:
                p.cut(s)
        elif e.kind in (tl.CALL_PLAY, tl.CALL_STOP_PLAY, tl.CONF_ENTER):
            for p in c.plays:  # a new prompt, a stop or joining a conference cuts the current one
                p.cut(s)
            if e.kind == tl.CALL_PLAY and c.end is None:
                c.plays.append(Clip(load_sound(e.data["audio"], config, tts), s))
            if e.kind == tl.CONF_ENTER and e.conference_sid not in c.conferences:
                c.conferences.append(e.conference_sid)
    return calls


class Participant:
    """The mixer's side of one participant: its runs and clips. Who it is (present, muted,
    held, coaching) is the replay's :class:`states.PartyState`."""

    def __init__(self, state: states.PartyState) -> None:
        self.call_sid = state.call_sid
        self.state = state
        self.mode = Runs()
        self.route = Runs()
        self.private: list[Clip] = []
        self.hold_clip = None
        self.wait_clip = None
        self.voice = None  # jitter-delayed voice clip for this stay in the conference
        self._mode: tuple | None = None  # (kind, clip) currently open, and since when
        self._mode_at = 0
        self._route: tuple | None = None  # (target, clip)
        self._route_at = 0


@dataclass
class Scene:
    conference_sid: str
    participants: dict  # call_sid -> Participant, in order of first entry
    conf_clips: list  # [(Clip, recorded: bool)] announcements and beeps, by start
    coached: dict  # target call_sid -> [Runs of (a, b, clip)]: coach voices it hears
    first_call_sid: str | None  # the first to join: channel 1 of a dual recording


def _clip(ref, config, tts, s):
    return Clip(_sound(ref, config, tts), s) if ref else None


def _participant_clips(p, e, st, config, tts, calls, s):
    """What ``e`` changes in what ``p`` hears (its states are the replay's)."""
    d, k = e.data or {}, e.kind
    if k == tl.CONF_ENTER:
        p.hold_clip = None
        delay = int(config.jitter_buffer_ms.get(d.get("jitter") or "off", 0)) * config.sample_rate // 1000
        info = calls.get(e.call_sid)
        p.voice = info.voice.shifted(delay) if info is not None and info.voice is not None else None
        p.wait_clip = _clip(d.get("wait_audio"), config, tts, s)
    elif k == tl.HOLD:
        p.hold_clip = _clip(d.get("audio"), config, tts, s)
    elif k == tl.UNHOLD:
        p.hold_clip = None
    elif k == tl.WAIT_AUDIO:
        p.wait_clip = _clip(d.get("audio"), config, tts, s)
    elif k == tl.ANNOUNCE and p.state.present and not st.ended:  # to this participant only
        for c in p.private:
            c.cut(s)
        p.private.append(Clip(load_sound(d["audio"], config, tts), s))


def build_scene(events: Sequence[tl.MediaEvent], conference_sid: str, config: EmulatorConfig, calls: dict[str, CallInfo] | None = None,
                *, record_beeps: bool = True, tts: str | None = None) -> Scene:
    calls = calls if calls is not None else index_calls(events, config, tts)
    parts: dict[str, Participant] = {}
    conf_clips: list = []
    announcement = None  # the conference-wide announcement now playing

    def update(p: Participant, s: int, st: states.ConferenceState):
        ps = p.state
        if not ps.present or st.ended:
            mode = None
        elif ps.held:
            mode = ("hold", p.hold_clip)
        elif not st.started:
            mode = ("wait", p.wait_clip)
        else:
            mode = ("bus", None)
        route = None
        if mode is not None and mode[0] == "bus" and not ps.muted and p.voice is not None:
            route = (ps.coach_target, p.voice)
        if mode != p._mode:
            if p._mode is not None and s > p._mode_at:
                p.mode.append((p._mode_at, s) + p._mode)
            p._mode, p._mode_at = mode, s
        if route != p._route:
            if p._route is not None and s > p._route_at:
                p.route.append((p._route_at, s) + p._route)
            p._route, p._route_at = route, s

    def sample(e):
        return tl.sample_of(e.t, config)

    touched: set = set()
    everyone = False
    for change, st in states.replay(events, conference_sid, instant=sample):
        e, d, k = change.event, change.event.data or {}, change.event.kind
        s = sample(e)
        for gone in change.left:  # out of the conference: its own announcement stops
            for c in parts[gone.call_sid].private:
                c.cut(s)
        everyone = everyone or change.everyone
        if k == tl.CONF_END:
            for c, _ in conf_clips:
                c.cut(s)
        elif k == tl.ANNOUNCE and e.call_sid is None:
            if not st.ended:
                clip = Clip(load_sound(d["audio"], config, tts), s)
                if announcement is not None:  # a newer announcement cuts the older
                    announcement.cut(s)
                announcement = clip
                conf_clips.append((clip, True))
        elif k == tl.BEEP:
            if not st.ended:
                conf_clips.append((Clip(load_sound(BEEP_REF, config, tts), s), record_beeps))
        if change.party is not None:  # else not about a participant: nothing more to hear
            p = parts.get(change.party.call_sid)
            if p is None:
                p = parts[change.party.call_sid] = Participant(change.party)
            _participant_clips(p, e, st, config, tts, calls, s)
            touched.add(p)
        if change.last_of_instant:  # the instant's final state: runs change here
            for p in parts.values() if everyone else touched:
                update(p, s, st)
            touched, everyone = set(), False

    coaching: dict[str, list] = {}
    for p in parts.values():
        # Runs still open (no conf-end yet) last until OPEN.
        if p._mode is not None:
            p.mode.append((p._mode_at, OPEN) + p._mode)
        if p._route is not None:
            p.route.append((p._route_at, OPEN) + p._route)
        for a, b, target, clip in p.route.items:
            if target is not None:
                coaching.setdefault(target, []).append((a, b, clip))
    # Two coaches of one target may overlap in time, and Runs needs non-overlapping runs.
    coached = {t: _lanes(sorted(r, key=lambda r: r[0])) for t, r in coaching.items()}
    first = next(iter(parts), None)
    return Scene(conference_sid, parts, conf_clips, coached, first)


def _lanes(runs: list) -> list:
    """Greedy partition of time-sorted runs into Runs that are each non-overlapping."""
    lanes: list[Runs] = []
    for r in runs:
        for lane in lanes:
            if lane.items[-1][1] <= r[0]:
                lane.append(r)
                break
        else:
            lane = Runs()
            lane.append(r)
            lanes.append(lane)
    return lanes


# --- recordings ---------------------------------------------------------------------------------
@dataclass
class Recording:
    recording_sid: str | None
    channels: int
    trim: bool
    start: int
    end: int | None = None  # None = still recording
    # (a, b, silent): recorded stretches in order; a skipped pause leaves no segment.
    segments: list = field(default_factory=list)
    _seg_at: int = 0
    _state: str = "rec"  # rec | paused-skip | paused-silence

    def _close(self, s: int):
        if s > self._seg_at and self._state != "paused-skip":
            self.segments.append((self._seg_at, s, self._state == "paused-silence"))
        self._seg_at = s

    def finish(self, s: int) -> None:
        if self.end is None:
            self._close(s)
            self.end = s

    def segments_until(self, end: int) -> list:
        """The segments, with a still-open recording closed at ``end``."""
        if self.end is not None:
            return list(self.segments)
        tail = []
        if end > self._seg_at and self._state != "paused-skip":
            tail = [(self._seg_at, end, self._state == "paused-silence")]
        return self.segments + tail


def build_recordings(events: Sequence[tl.MediaEvent], conference_sid: str, config: EmulatorConfig) -> list[Recording]:
    """Every recording of the conference, in start order."""
    recs: list[Recording] = []
    cur: Recording | None = None
    for e in tl.ordered(events):
        if e.conference_sid != conference_sid or e.kind not in (tl.RECORD, tl.CONF_END):
            continue
        s = tl.sample_of(e.t, config)
        d = e.data or {}
        if e.kind == tl.CONF_END:
            if cur is not None:
                cur.finish(s)
                cur = None
            continue
        action = d.get("action")
        if action == "start":
            if cur is not None:
                cur.finish(s)
            cur = Recording(d.get("recording_sid"), int(d.get("channels", 1) or 1), bool(d.get("trim", False)), s)
            cur._seg_at = s
            recs.append(cur)
            continue
        if cur is None or (d.get("recording_sid") and cur.recording_sid and d["recording_sid"] != cur.recording_sid):
            continue
        if action == "pause" and cur._state == "rec":
            cur._close(s)
            cur._state = "paused-skip" if d.get("pause_behavior", "silence") == "skip" else "paused-silence"
        elif action == "resume" and cur._state != "rec":
            cur._close(s)
            cur._state = "rec"
        elif action == "stop":
            cur.finish(s)
            cur = None
    return recs


def last_sample(events: Sequence[tl.MediaEvent], config: EmulatorConfig) -> int:
    return max((tl.sample_of(e.t, config) for e in events), default=0)
