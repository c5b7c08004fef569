"""The table of stored actions the engine runs, wired in one place and handed to ``Engine(...)``
(as the leg purposes are): ``kind`` -> ``fn(eng, *given, **stored_args)``.

A kind is a name in the store (``scheduled_actions.kind``, ``pending_requests.handler``): once
released, keep it, or a store written by that version has actions nothing runs (they are
dropped at start-up). The arguments are JSON.

The TwiML voice engine's kinds are its own (``voice/action_kinds.py``), loaded with it on the
first lookup of one of them (``LATE_KINDS``, a world's ``LateTable``).
"""

from __future__ import annotations

from collections.abc import Callable

from . import amd, audio_docs, calls, recording, speech_events
from .conference import joining

# Kinds by prefix -> the function that returns them, in a module loaded on first lookup.
LATE_KINDS = dict.fromkeys(("twiml.", "gather.", "dial."),
                           "twilio_conf_emulator.engine.voice.action_kinds:stored_actions")


def stored_actions() -> dict[str, Callable[..., object]]:
    return {
        # a dialled leg (Calls API, Participants API, <Dial><Number>) and its far end's script
        "call.initiated": calls._initiated,
        "call.ringing": calls._ringing,
        "call.no-answer": calls._no_answer,
        "call.answer": calls.answer,
        "call.digits": calls.press_digits,
        "call.hangup": calls.hangup,
        "call.speech": calls.say_speech,
        "amd.detected": amd._detected,
        # conferences, recordings, announcements
        "participant.time-limit": joining._time_limit,
        "recording.complete": recording.complete,
        "announcement.end": audio_docs._announcement_end,
        "play.fetched": audio_docs._audio_fetched,
        "music.redirect": audio_docs._music_redirect,
        "speech.window": speech_events.next_window,
        "speech.event": speech_events.fire,
    }
