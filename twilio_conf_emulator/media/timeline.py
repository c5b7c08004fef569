"""The media timeline: what the engine tells the media layer, and the virtual-time grid.

The engine appends a ``MediaEvent`` whenever something audible changes (a call is answered,
joins a conference, is muted, an announcement starts...).  Media never looks at the wall
clock: it renders from these events alone, so the same events give the same bytes.

Times are absolute virtual seconds (float epoch).  They are snapped to the 20 ms frame grid
(``frame_of``), and every sample position used by the mixer is an absolute sample index on
that grid (``sample_of``), so two renders of overlapping windows agree sample for sample.

This module stays free of numpy so the engine can import it cheaply.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the config is only read here
    from ..config import EmulatorConfig

# --- event kinds -------------------------------------------------------------------------
CALL_ANSWERED = "call-answered"
CALL_ENDED = "call-ended"
CALL_PLAY = "call-play"
CALL_STOP_PLAY = "call-stop-play"
CONF_ENTER = "conf-enter"
CONF_START = "conf-start"
CONF_LEAVE = "conf-leave"
CONF_END = "conf-end"
MUTE = "mute"
UNMUTE = "unmute"
HOLD = "hold"
UNHOLD = "unhold"
COACH = "coach"
WAIT_AUDIO = "wait-audio"
ANNOUNCE = "announce"
BEEP = "beep"
RECORD = "record"

KINDS = frozenset(
    {
        CALL_ANSWERED, CALL_ENDED, CALL_PLAY, CALL_STOP_PLAY, CONF_ENTER, CONF_START,
        CONF_LEAVE, CONF_END, MUTE, UNMUTE, HOLD, UNHOLD, COACH, WAIT_AUDIO, ANNOUNCE,
        BEEP, RECORD,
    }
)


@dataclass(frozen=True)
class MediaEvent:
    t: float  # absolute virtual time, seconds
    kind: str
    call_sid: str | None = None
    conference_sid: str | None = None
    data: dict = field(default_factory=dict)  # JSON-able

    def __post_init__(self) -> None:
        # Fail at the engine's append, not minutes later inside a render.
        if self.kind not in KINDS:
            raise ValueError(f"unknown media event kind {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the frame grid ------------------------------------------------------------------------
def samples_per_frame(config: EmulatorConfig) -> int:
    return config.sample_rate * config.frame_ms // 1000


def frame_of(t: float, config: EmulatorConfig) -> int:
    """Nearest frame index of absolute time ``t``; ties round up (floor(x + 0.5)),
    never Python's banker's rounding, so the grid never depends on parity."""
    return math.floor(t * 1000.0 / config.frame_ms + 0.5)


def sample_of(t: float, config: EmulatorConfig) -> int:
    """Absolute sample index of ``t`` snapped to the frame grid."""
    return frame_of(t, config) * samples_per_frame(config)


def time_of(sample: int, config: EmulatorConfig) -> float:
    return sample / config.sample_rate


def ordered(events: Iterable[MediaEvent]) -> list[MediaEvent]:
    """Events by frame, keeping the engine's append order within a frame (stable sort):
    everything at one instant is applied in the order the engine recorded it."""
    return sorted(events, key=lambda e: e.t)


# --- durations the engine schedules with ----------------------------------------------------
def say_duration(text: str, config: EmulatorConfig) -> float:
    """Seconds one pass of ``<Say>text</Say>`` lasts, whatever synthesiser is installed."""
    words = len((text or "").split())
    return max(config.say_min_seconds, words * config.say_seconds_per_word)

