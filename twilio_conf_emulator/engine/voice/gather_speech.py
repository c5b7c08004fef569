"""Speech ``<Gather>`` (``input="speech"`` or ``"dtmf speech"``).

A virtual party declares what it says (``"speech": [{"at": s, "text": "..."}]``); each
utterance lasts ``say_seconds_per_word`` per word.  When one starts while a speech Gather
listens, the prompt stops (``bargeIn``), ``partialResultCallback`` (when set) gets one request
per word with the words so far (``UnstableSpeechResult``, ``Stability``, ``SequenceNumber``),
and ``speechTimeout`` seconds after the last word (``auto``: ``speech_auto_timeout``) the
action gets ``SpeechResult`` (the text as said) and ``Confidence``
(``speech_confidence``).  Nothing is recognised from audio: the declared text is the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...media import timeline as tl
from ...store.models import Call
from ...webhooks.transport import OutboundRequest
from .. import callbacks, twiml
from ..actions import stored
from .gather import current_gather
from .runner import fetch, step
from .state import alert, opt, set_opts

if TYPE_CHECKING:  # annotations only
    from ..core import Engine


def on_speech(eng: Engine, call: Call, text: str) -> None:
    """The party on ``call`` starts saying ``text`` now."""
    g = opt(call, "_gather")
    if not g or g["gen"] != int(opt(call, "_gen", 0)) or not g.get("speech"):
        return
    verb = current_gather(eng, call.sid, g["gen"], g["i"])
    if verb is None or not text.strip():
        return
    if g["prompting"] and not verb.barge_in:
        return  # bargeIn=false: speech during the prompt is not heard
    g = {**g, "sub": g["sub"] + 1, "listening": False}  # stops the prompt chain and the timer
    if g["prompting"]:
        g["prompting"] = False
        eng.media_event(tl.CALL_STOP_PLAY, call_sid=call.sid)
    set_opts(call, _gather=g)
    words = text.split()
    per_word = eng.config.say_seconds_per_word
    sid, gen, sub = call.sid, g["gen"], g["sub"]
    if verb.partial_result_callback:
        for k in range(len(words)):
            partial = " ".join(words[:k + 1])
            eng.after(per_word * (k + 1),
                      stored(eng, "gather.speech-partial", sid=sid, gen=gen, sub=sub,
                             partial=partial, n=k),
                      f"Gather partial result {sid}")
    timeout = verb.speech_timeout
    if timeout == "auto":
        timeout = eng.config.speech_auto_timeout
    elif timeout is None:
        timeout = verb.timeout
    eng.after(per_word * len(words) + float(timeout),
              stored(eng, "gather.speech-result", sid=sid, gen=gen, sub=sub, text=text),
              f"Gather speech result {sid}")


def _live_state(eng: Engine, sid: str, gen: int, sub: int) -> tuple[Any, Any]:
    call = eng.db.get(Call, sid)
    if call is None or call.status != "in-progress":
        return None, None
    g = opt(call, "_gather")
    if not g or g["gen"] != gen or g["sub"] != sub or int(opt(call, "_gen", 0)) != gen:
        return None, None
    return call, g


def partial_result(eng: Engine, sid: str, gen: int, sub: int, partial: str, n: int) -> None:
    """Stored action: the words said so far reach partialResultCallback."""
    call, g = _live_state(eng, sid, gen, sub)
    if call is None:
        return
    verb = current_gather(eng, sid, gen, g["i"])
    if verb is None:
        return
    params = callbacks.voice_params(call, call.status) + [
        ("SequenceNumber", str(n)),
        ("UnstableSpeechResult", partial),
        ("Stability", "0.9"),
        ("LanguageCode", verb.language),
    ]
    eng.emit_request(OutboundRequest(url=verb.partial_result_callback,
                                     method=verb.partial_result_callback_method or "POST",
                                     params=params, kind="partial-result"),
                     call.account_sid, call_sid=call.sid)


def submit(eng: Engine, sid: str, gen: int, sub: int, text: str) -> None:
    """Stored action: the speech timeout passed after the last word: the result goes to
    the action URL."""
    call, g = _live_state(eng, sid, gen, sub)
    if call is None:
        return
    verb = current_gather(eng, sid, gen, g["i"])
    set_opts(call, _gather=None)
    if verb is None:
        return
    if not verb.action:
        alert(eng, call, twiml.SCHEMA_WARNING, "<Gather> has no action and its TwiML has no "
              "URL (Twiml parameter): the speech result cannot be submitted", level="warning")
        step(eng, sid, gen, g["i"] + 1)
        return
    fetch(eng, call, verb.action, verb.method, "gather", (
        ("SpeechResult", text),
        ("Confidence", f"{eng.config.speech_confidence:.8f}".rstrip("0").rstrip(".")),
        ("Language", verb.language),
    ))

