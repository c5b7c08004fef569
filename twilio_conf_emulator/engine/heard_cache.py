"""What calls heard, rendered once per conference and kept until the conference changes.

Asking for the audio of every call of a conference (the usual test: "each participant heard
the others") used to re-mix the whole conference once per call. The first request renders
every call of the same conferences in one pass (``media.heard``) and keeps the results in
the caller's ``cache`` (one per world; rendering runs outside the store's lock). An entry is
used only while the timeline it was rendered from is unchanged (the event lists compare
equal), so any new media event (a join, a mute, a hang-up) or a reset makes the next
request render afresh.

Bounded by ``config.audio_cache_mb``: a batch that would exceed it is not rendered for
everybody, only for the call asked for (as before).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..media import mixer
from ..media.heard import render_calls
from ..media.scene import index_calls

# {conferences: {"events": the timeline rendered, "heard": {(call_sid, end): int16 samples}}}
HeardCache = dict[tuple[str, ...], dict[str, Any]]

if TYPE_CHECKING:  # annotations only
    import numpy as np

    from ..config import EmulatorConfig
    from ..media.timeline import MediaEvent


def heard(cache: HeardCache, config: EmulatorConfig, events: Sequence[MediaEvent], call_sid: str,
          end: float | None = None, now: float | None = None) -> np.ndarray:
    """int16 mono: what ``call_sid`` heard (``end``: a live call is cut there; ``now``: where
    the other calls still up are cut, as a request for them would cut them)."""
    calls = index_calls(events, config)
    info = calls.get(call_sid)
    confs = tuple(info.conferences) if info is not None else ()
    if not confs:
        return mixer.render_call(events, call_sid, config, end=end)
    entry = cache.get(confs)
    if entry is not None and entry["events"] == events and (call_sid, end) in entry["heard"]:
        return entry["heard"][(call_sid, end)]
    # Every call whose request would read these same events (it was in these conferences,
    # entered in the same order). A call still up is cut at ``now``.
    windows, keys = {}, {}
    for sid, c in calls.items():
        if c.answer is None or tuple(c.conferences) != confs:
            continue
        cut = end if sid == call_sid else (now if c.end is None else None)
        windows[sid] = mixer.call_window(events, sid, config, end=cut, calls=calls)
        keys[sid] = (sid, cut)
    budget = config.audio_cache_mb * 1e6
    if 6 * sum(b - a for a, b in windows.values()) > budget:  # int32 work + int16 result
        windows = {call_sid: windows[call_sid]} if call_sid in windows else {}
    if call_sid not in windows:
        return mixer.render_call(events, call_sid, config, end=end)
    rendered = render_calls(events, windows, config)
    cache[confs] = {"events": events, "heard": {keys[s]: x for s, x in rendered.items()}}
    _bound(cache, budget)
    return rendered[call_sid]


def _bound(cache: HeardCache, budget: float) -> None:
    """Drop the oldest conferences' audio until what is kept fits the budget."""
    def size(entry: dict[str, Any]) -> int:
        return sum(x.nbytes for x in entry["heard"].values())

    total = sum(size(e) for e in list(cache.values()))
    for key in list(cache):
        if total <= budget or len(cache) == 1:
            break
        dropped = cache.pop(key, None)  # another thread may have dropped it already
        total -= size(dropped) if dropped is not None else 0
