"""The table of leg purposes the engine runs, wired in one place and handed to ``Engine(...)``.

The TwiML voice engine's purposes are its own (``voice.purposes``), loaded with it on the first
lookup of one of them (``LATE_PURPOSES``, a world's ``LateTable``): a server whose calls never
run a TwiML document never loads the interpreter.
"""

from __future__ import annotations

from .conference.leg import ParticipantLeg
from .core import LegPurpose

# Purpose -> the function that returns it, in a module loaded on first lookup.
LATE_PURPOSES = dict.fromkeys(("twiml", "dial-child", "taskrouter-queued"),
                              "twilio_conf_emulator.engine.voice:purposes")


def leg_purposes() -> dict[str, LegPurpose]:
    """``{purpose: LegPurpose}`` for the legs the engine runs without the voice engine: the
    Participants API's."""
    return {"participant": ParticipantLeg()}
