"""One replay of a conference's media events: who is present, muted, held, coached, hearing an
announcement, and whether the conference has started or ended, after each event.

Both pictures of a conference are built from this one replay, so they cannot disagree: the
mixer's scene (``media.scene.build_scene``: what each participant hears and who hears it) and
the timeline page (``timeline.model``: the lanes drawn per participant).

The rules (the engine's own, in the order it wrote the events; ``tl.ordered`` keeps that order
among events of one instant):

- ``conf-enter`` makes a participant present (not after ``conf-end``): not held, not
  coached, no announcement, muted as the event says.
- ``conf-leave``, and ``call-ended`` of a present participant, take it out.
- ``conf-end`` takes everyone out; nothing enters or is announced after it.
- ``mute``/``unmute``, ``hold``/``unhold`` and ``coach`` (``target`` None: coaching stops)
  change one participant; an announcement to one participant counts only while it is present.
- ``conf-start`` changes everyone at once, as ``conf-end`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from . import timeline as tl


@dataclass
class PartyState:
    """One participant (by call SID), as the replay has it now."""

    call_sid: str
    present: bool = False
    muted: bool = False
    held: bool = False
    coach_target: str | None = None  # the call SID it coaches (heard by that one only)
    announcement: dict | None = None  # the AudioRef announced to it alone, while present

    def audible(self, started: bool) -> bool:
        """Heard by the conference: present, started, not held and not muted."""
        return self.present and started and not self.held and not self.muted


@dataclass
class ConferenceState:
    conference_sid: str
    started: bool = False
    ended: bool = False
    announcement: dict | None = None  # the AudioRef announced to everyone, until the end
    parties: dict[str, PartyState] = field(default_factory=dict)  # in order of first entry


@dataclass
class Change:
    """One event, applied. ``party``: the participant it concerns (None when the event is not
    about a participant, or an entry after the end); ``everyone``: it changed every
    participant (start, end); ``left``: who stopped being present at this event;
    ``last_of_instant``: no later event falls on the same instant (the state is then that
    instant's final state)."""

    event: tl.MediaEvent
    party: PartyState | None
    everyone: bool = False
    left: tuple[PartyState, ...] = ()
    last_of_instant: bool = True


def relevant(event: tl.MediaEvent, conference_sid: str) -> bool:
    """The events of one conference: its own, and every call's end (a call-ended event carries
    no conference SID)."""
    return event.conference_sid == conference_sid or (
        event.kind == tl.CALL_ENDED and event.conference_sid is None)


def replay(events: Iterable[tl.MediaEvent], conference_sid: str,
           instant: Callable[[tl.MediaEvent], object] | None = None,
           ) -> Iterator[tuple[Change, ConferenceState]]:
    """Apply the conference's events in order; yield each :class:`Change` with the state as
    it is right after it (one object, updated in place: read it before the next step).
    ``instant(event)`` says which events fall on one instant (default: the same ``t``; the
    mixer passes its sample grid)."""
    st = ConferenceState(conference_sid)
    mine = [e for e in tl.ordered(events) if relevant(e, conference_sid)]
    key = instant or (lambda e: e.t)
    keys = [key(e) for e in mine]
    for i, e in enumerate(mine):
        change = _apply(st, e)
        change.last_of_instant = i + 1 == len(mine) or keys[i + 1] != keys[i]
        yield change, st


def _apply(st: ConferenceState, e: tl.MediaEvent) -> Change:
    d = e.data or {}
    k = e.kind
    party = st.parties.get(e.call_sid) if e.call_sid else None
    if k == tl.CONF_ENTER:
        if st.ended or e.call_sid is None:
            return Change(e, None)
        if party is None:
            party = st.parties[e.call_sid] = PartyState(e.call_sid)
        party.present, party.held, party.coach_target = True, False, None
        party.announcement = None
        party.muted = bool(d.get("muted", False))
        return Change(e, party)
    if k == tl.CONF_START:
        st.started = True
        return Change(e, party, everyone=True)
    if k == tl.CONF_END:
        st.ended = True
        st.announcement = None
        left = tuple(p for p in st.parties.values() if p.present)
        for p in left:
            p.present, p.announcement = False, None
        return Change(e, party, everyone=True, left=left)
    if k == tl.ANNOUNCE and e.call_sid is None:
        if not st.ended:
            st.announcement = d.get("audio")
        return Change(e, party)
    if party is None:
        return Change(e, None)
    if k in (tl.CONF_LEAVE, tl.CALL_ENDED):
        if party.present:
            party.present, party.announcement = False, None
            return Change(e, party, left=(party,))
    elif k in (tl.MUTE, tl.UNMUTE):
        party.muted = k == tl.MUTE
    elif k in (tl.HOLD, tl.UNHOLD):
        party.held = k == tl.HOLD
    elif k == tl.COACH:
        party.coach_target = d.get("target")
    elif k == tl.ANNOUNCE and party.present and not st.ended:
        party.announcement = d.get("audio")
    return Change(e, party)
