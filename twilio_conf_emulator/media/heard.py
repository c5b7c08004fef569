"""What several calls heard, rendered together: one pass of each conference's mixer.

``mixer.render_call`` renders one listener; asking it for every call of a conference builds
the conference's scene and mixes its bus once per call. Here every conference is built
once and ``ConferenceMixer.mix`` renders all its listeners per chunk (one bus, one
subtraction each). The mixer's output does not depend on chunk boundaries, so each call's
samples are exactly those ``render_call`` gives for the same window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .mixer import CHUNK_SECONDS, ConferenceMixer, _chunk_samples, _chunks, _clip_into
from .scene import index_calls

if TYPE_CHECKING:  # annotations only
    from ..config import EmulatorConfig
    from . import timeline as tl


def render_calls(events: Sequence[tl.MediaEvent], windows: Mapping[str, tuple[int, int]], config: EmulatorConfig, *,
                 chunk_seconds: float = CHUNK_SECONDS, tts: str | None = None) -> dict[str, np.ndarray]:
    """``{call_sid: int16 mono}`` for ``windows`` (``{call_sid: (a, b)}`` absolute samples,
    as ``mixer.call_window`` gives them): IVR prompts, wait and hold audio, each conference
    minus the call itself, announcements."""
    calls = index_calls(events, config, tts)
    acc = {sid: np.zeros(b - a, np.int32) for sid, (a, b) in windows.items()}
    members: dict[str, list[str]] = {}
    for sid, (a0, b0) in windows.items():
        info = calls.get(sid)
        if info is None or b0 <= a0:
            continue
        for clip in info.plays:
            if clip.overlaps(a0, b0):
                clip.add_into(acc[sid], a0, a0, b0)
        for cs in info.conferences:
            members.setdefault(cs, []).append(sid)
    size = _chunk_samples(config, chunk_seconds)
    for cs, sids in members.items():
        mixer = ConferenceMixer(events, cs, config, calls=calls, tts=tts)
        lo_all = min(windows[s][0] for s in sids)
        hi_all = max(windows[s][1] for s in sids)
        for a, b in _chunks(lo_all, hi_all, size):
            rows = [s for s in sids if windows[s][0] < b and windows[s][1] > a
                    and mixer.hears_anything(s, a, b)]
            if not rows:
                continue
            out = mixer.mix(a, b, rows)
            for row, s in enumerate(rows):
                w0, w1 = windows[s]
                lo, hi = max(a, w0), min(b, w1)
                acc[s][lo - w0: hi - w0] += out[row, lo - a: hi - a]
    heard = {}
    for sid, x in acc.items():
        heard[sid] = np.empty(len(x), np.int16)
        _clip_into(x, heard[sid])
    return heard
