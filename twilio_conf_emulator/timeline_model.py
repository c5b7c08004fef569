"""The timeline model of one conference: lanes of states per participant (and for the
conference itself), talking spans from the speech gate, and the journal's events.

Built from :mod:`media.states` (the same replay of the media events the mixer's scene is built
from, so the picture and the audio never disagree). All times in the model are seconds since the
conference's ``date_created``, rounded to the millisecond; ``date_created`` itself is virtual
epoch seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .config import EmulatorConfig
from .media import states as media_states
from .media import timeline as tl
from .media.audio import AudioError, audio_duration, load_sound
from .media.speech import detect
from .timefmt import rfc2822

Span = tuple[float, float]  # [start, end) in seconds

# Lane states, in drawing order (later ones are painted over earlier ones).
WAITING = "waiting"  # in the conference before it started: hears wait music, is not heard
IN = "in"  # bridged: the conference has started and the participant is in it
MUTED = "muted"
HOLD = "hold"
TALKING = "talking"  # the speech gate fires on its voice while it is heard (in, not muted/held)
COACHING = "coaching"  # heard only by ``target`` (Twilio's CallSidToCoach)
ANNOUNCEMENT = "announcement"  # AnnounceUrl playing, to this participant or to everyone
STATES = (WAITING, IN, MUTED, HOLD, TALKING, COACHING, ANNOUNCEMENT)


def _r(x: float) -> float:
    return round(float(x), 3)


# --- the model --------------------------------------------------------------------------------

class Lane:
    """Open intervals of one participant (or of the conference itself) during the sweep."""

    def __init__(self) -> None:
        self.intervals: list[dict] = []
        self.opened: dict = {}  # state -> (start, extra, natural_end or None)
        self.present = False

    def begin(self, state: str, t: float, natural_end: float | None = None, **extra: Any) -> None:
        if state in self.opened:
            if self.opened[state][1] == extra and natural_end is None:
                return  # a repeated "hold" (the hold document arrived): still the same stretch
            self.end(state, t)
        self.opened[state] = (t, extra, natural_end)

    def end(self, state: str, t: float, still_open: bool = False) -> None:
        if state not in self.opened:
            return
        start, extra, natural = self.opened.pop(state)
        stop = t if natural is None else min(t, natural)
        # An announcement that outlives the drawing is still playing; one that ended on its
        # own before ``t`` is not.
        still_open = still_open and (natural is None or natural > t)
        if stop > start:  # entering and starting at one instant leaves no "waiting" stretch
            self.intervals.append({"state": state, "start": start, "end": stop,
                                   "open": still_open, **extra})

    def end_all(self, t: float, still_open: bool = False) -> None:
        for state in list(self.opened):
            self.end(state, t, still_open)


def _wanted(party: media_states.PartyState, st: media_states.ConferenceState) -> dict[str, dict[str, Any]]:
    """The lane states ``party`` is in, given the replay's state: {state: extra}."""
    if not party.present:
        return {}
    want: dict[str, dict[str, Any]] = {IN if st.started else WAITING: {}}
    if party.muted:
        want[MUTED] = {}
    if party.held:
        want[HOLD] = {}
    if party.coach_target:
        want[COACHING] = {"target": party.coach_target}
    return want


def _conference_wanted(st: media_states.ConferenceState) -> dict[str, dict[str, Any]]:
    if st.ended:
        return {}
    return {IN if st.started else WAITING: {}}


def _sync(lane: Lane, want: dict[str, dict[str, Any]], t: float, present: bool) -> None:
    """Open and close ``lane``'s intervals at ``t`` to match ``want``. An announcement is begun by
    its own event (it may end by itself) and ends with the presence."""
    for state in list(lane.opened):
        if state not in want and not (state == ANNOUNCEMENT and present):
            lane.end(state, t)
    for state, extra in want.items():
        if state not in lane.opened or lane.opened[state][1] != extra:
            lane.begin(state, t, **extra)


def build(head: dict[str, Any], people: list[tuple[str, str | None, str]], events: list[tl.MediaEvent],
          entries: list[dict[str, Any]], now: float, config: EmulatorConfig) -> dict[str, Any]:
    """The model (plain JSON-able data) from what the view copied out of the store: ``head``
    (the Conference row's fields), ``people`` ([(call_sid, label, status)] in order added),
    the media ``events`` and the journal ``entries`` of the conference.

    A conference still in progress is drawn up to the virtual ``now``: its open intervals
    end there and carry ``"open": true``.
    """
    conference_sid = head["conference_sid"]
    origin = head["date_created"]
    until = head["ended_at"] if head["ended_at"] is not None else max(now, origin)
    lanes = {sid: Lane() for sid, _, _ in people}
    conf_lane = Lane()
    conf_lane.begin(WAITING, origin)  # "init" until conference-start (dropped if it is empty)
    voices: dict = {}  # call_sid -> (answer time, AudioRef)
    for e in tl.ordered(events):
        if e.kind == tl.CALL_ANSWERED and e.data.get("voice") and e.call_sid not in voices:
            voices[e.call_sid] = (e.t, e.data["voice"])

    for change, st in media_states.replay(events, conference_sid):
        e, t = change.event, change.event.t
        _sync(conf_lane, _conference_wanted(st), t, not st.ended)
        if e.kind == tl.ANNOUNCE and e.call_sid is None and not st.ended:
            conf_lane.begin(ANNOUNCEMENT, t, _natural_end(e.data.get("audio"), t, config))
        touched = st.parties.values() if change.everyone else [change.party] if change.party else []
        for party in touched:
            lane = lanes.get(party.call_sid)
            if lane is None:
                continue  # not one of the conference's participants
            _sync(lane, _wanted(party, st), t, party.present)
            if e.kind == tl.ANNOUNCE and party is change.party and party.present and not st.ended:
                lane.begin(ANNOUNCEMENT, t, _natural_end(e.data.get("audio"), t, config))

    open_now = head["ended_at"] is None
    for ln in list(lanes.values()) + [conf_lane]:
        ln.end_all(until, still_open=open_now)
        ln.intervals.sort(key=lambda iv: (iv["start"], STATES.index(iv["state"])))

    labels = {sid: label for sid, label, _ in people}
    participants = []
    for sid, label, status in people:
        ln = lanes[sid]
        talking = _talking(ln.intervals, voices.get(sid), until, open_now, config)
        ivs = sorted(ln.intervals + talking,
                     key=lambda iv: (iv["start"], STATES.index(iv["state"])))
        for iv in ivs:
            iv["start"], iv["end"] = _r(iv["start"] - origin), _r(iv["end"] - origin)
            if "target" in iv:
                iv["target_label"] = labels.get(iv["target"])
        participants.append({"call_sid": sid, "label": label, "status": status,
                             "intervals": ivs})
    for iv in conf_lane.intervals:
        iv["start"], iv["end"] = _r(iv["start"] - origin), _r(iv["end"] - origin)

    def rel(t: float | None) -> float | None:
        return None if t is None else _r(t - origin)

    return {
        **{k: v for k, v in head.items() if k not in ("started_at", "ended_at")},
        "date_created_rfc2822": rfc2822(origin),
        "start": rel(head["started_at"]),
        "end": rel(head["ended_at"]),
        "until": rel(until),
        "in_progress": open_now,
        "conference": {"intervals": conf_lane.intervals},
        "participants": participants,
        "events": [_event(en, origin) for en in entries],
    }


def _natural_end(ref: dict[str, Any] | None, t: float, config: EmulatorConfig) -> float | None:
    """When an announcement stops by itself: None = endless or unknown (cut by what follows)."""
    if not ref:
        return None
    try:
        seconds = audio_duration(ref, config)
    except (AudioError, OSError, ValueError, KeyError):
        return None
    return None if seconds is None else t + seconds


def _event(entry: dict, origin: float) -> dict:
    params: dict[str, str] = {}
    for name, value in entry["params"]:
        params.setdefault(name, value)
    return {
        "id": entry["id"],
        "t": _r(entry["time"] - origin),
        "timestamp": entry["timestamp"],
        "kind": entry["kind"],
        # What a reader of the journal looks for first: Twilio's name for the event.
        "event": params.get("StatusCallbackEvent") or params.get("CallStatus"),
        "sequence_number": params.get("SequenceNumber"),
        "call_sid": entry["call_sid"],
        "status": entry["status"],
        "error_code": entry["error_code"],
    }


# --- talking ------------------------------------------------------------------------------------
def _spans(intervals: list[dict[str, Any]], state: str) -> list[Span]:
    return [(iv["start"], iv["end"]) for iv in intervals if iv["state"] == state]


def _subtract(spans: list[Span], cuts: list[Span]) -> list[Span]:
    out = []
    for a, b in spans:
        pieces = [(a, b)]
        for c, d in cuts:
            pieces = [p for x, y in pieces
                      for p in ((x, min(y, c)), (max(x, d), y)) if p[1] > p[0]]
        out.extend(pieces)
    return out


def _intersect(xs: list[Span], ys: list[Span]) -> list[Span]:
    return [(max(a, c), min(b, d)) for a, b in xs for c, d in ys if min(b, d) > max(a, c)]


def _talking(intervals: list[dict[str, Any]], voice: tuple[float, dict[str, Any]] | None, until: float,
             open_now: bool, config: EmulatorConfig) -> list[dict[str, Any]]:
    """Speech spans of the caller's voice while the conference hears it.

    The gate runs over the voice as spoken at the phone (from the answer, plus its
    ``offset``), not per unmuted stretch, so a mute never invents a new speech start;
    then only what falls inside "in" and outside "muted"/"hold" is kept.  A voice that
    cannot be loaded shows no talking rather than failing the whole picture.
    """
    heard = _subtract(_spans(intervals, IN), _spans(intervals, MUTED) + _spans(intervals, HOLD))
    if voice is None or not heard:
        return []
    answered, ref = voice
    try:
        sound = load_sound(ref, config)
    except (AudioError, OSError, ValueError, KeyError):
        return []
    start = answered + float(ref.get("offset", 0.0) or 0.0)
    rate = config.sample_rate
    # Only as much voice as the last heard moment needs (plus a frame for the grid).
    need = int(np.ceil((max(b for _, b in heard) - start) * rate)) + rate * config.frame_ms // 1000
    if need <= 0:
        return []
    samples = sound.samples
    if sound.endless and len(samples) < need:  # a looped voice: repeat its loop body
        body = samples[sound.loop_from:]
        reps = -(-(need - len(samples)) // len(body)) if len(body) else 0
        samples = np.concatenate([samples] + [body] * reps) if reps else samples
    spans = [(start + a, start + b) for a, b in detect(samples[:need], config)]
    return [{"state": TALKING, "start": a, "end": b, "open": open_now and b >= until}
            for a, b in _intersect(spans, heard)]
