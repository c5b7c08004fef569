"""The TwiML voice engine's stored actions (``engine.actions``): ``kind`` -> ``fn(eng, *given,
**stored_args)``, merged into a world's table on the first lookup of one of its kinds
(``engine/action_kinds.py``). Once released, a kind keeps its name."""

from __future__ import annotations

from collections.abc import Callable

from . import dial_number, gather, gather_speech, inbound, runner


def stored_actions() -> dict[str, Callable[..., object]]:
    return {
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
