"""The table of leg purposes the engine runs, wired in one place and handed to ``Engine(...)``."""

from __future__ import annotations

from . import voice
from .conference.leg import ParticipantLeg
from .core import LegPurpose


def leg_purposes() -> dict[str, LegPurpose]:
    """``{purpose: LegPurpose}`` for every kind of call leg: Participants API legs, legs
    running TwiML, and the legs a ``<Dial><Number>`` places."""
    return {"participant": ParticipantLeg(), **voice.purposes()}
