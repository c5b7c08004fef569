"""The table of stored actions the engine runs, wired in one place and handed to ``Engine(...)``
(as the leg purposes are): ``kind`` -> ``fn(eng, *given, **stored_args)``.

A kind is a name in the store (``scheduled_actions.kind``, ``pending_requests.handler``): once
released, keep it, or a store written by that version has actions nothing runs (they are
dropped at start-up). The arguments are JSON.
"""

from __future__ import annotations

from collections.abc import Callable

from . import amd, audio_docs, calls, recording, speech_events
from .conference import joining
from .voice import dial_number, gather, gather_speech, inbound, runner


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
        # the TwiML interpreter: the next verb, its timers, and the answer to a TwiML fetch
        "twiml.ring": inbound._ring,
        "twiml.fetched": runner._fetched,
        "twiml.hosted": runner._run_hosted,
        "twiml.start": runner._start_live,
        "twiml.step": runner.step,
        "twiml.play-fetched": runner._play_fetched,
        "twiml.end": runner._end_if_live,
        "twiml.answer-after-pause": runner._answer_after_pause,
        "twiml.gather-prompt": gather._gather_prompt_next,
        "twiml.gather-timeout": gather._gather_timeout,
        "gather.speech-partial": gather_speech.partial_result,
        "gather.speech-result": gather_speech.submit,
        "dial.time-limit": dial_number._number_time_limit,
    }
