"""Which engine speaks ``<Say>``: espeak-ng when installed (or asked for), else the tone
stand-in. Kept apart from the synthesiser so start-up and ``/_emulator/health`` can say
which one without importing numpy."""

from __future__ import annotations

import os
import shutil

TTS_ENV = "TWILIO_CONF_EMULATOR_TTS"  # auto | espeak-ng | stand-in


def default_tts() -> str:
    return os.environ.get(TTS_ENV, "auto")


def engine_for(tts: str = "auto") -> str:
    """``espeak-ng`` if asked for or (``auto``) installed, else ``stand-in``."""
    if tts == "stand-in":
        return "stand-in"
    if tts in ("auto", "espeak-ng") and shutil.which("espeak-ng"):
        return "espeak-ng"
    return "stand-in"


def say_engine() -> str:
    """What ``<Say>`` is spoken with here: ``espeak-ng``, or ``stand-in`` (a tone per word,
    timed like speech) when espeak-ng is not installed or ``$TWILIO_CONF_EMULATOR_TTS`` says
    so. Start-up and ``/_emulator/health`` report it."""
    return engine_for(default_tts())
