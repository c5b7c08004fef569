"""<Gather>: prompts, then keys until finishOnKey, numDigits or the timeout; the digits go to
the action URL (or the next verb runs when nothing was pressed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...media import timeline as tl
from .. import twiml
from .runner import fetch, media, step
from .state import alert, docs, live, opt, set_opts

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine


def run(eng: Engine, call: Call, verb: twiml.Gather, gen: int, i: int) -> bool:
    """Start ``verb``: it always takes over the leg until it submits or times out."""
    # Speech: voice/gather_speech hears what a virtual party says while "speech" is set.
    state = {"gen": gen, "i": i, "sub": 1, "digits": "", "listening": verb.accepts_dtmf,
             "speech": verb.accepts_speech, "prompting": bool(verb.children)}
    set_opts(call, _gather=state)
    if verb.children:
        _gather_prompt(eng, call.sid, gen, 1, verb, 0)
    else:
        _gather_wait(eng, call, verb, gen, 1)
    return True


def _gather_state(eng: Engine, sid: str, gen: int, sub: int) -> tuple[Any, Any]:
    call = live(eng, sid, gen)
    if call is None:
        return None, None
    g = opt(call, "_gather")
    if not g or g["gen"] != gen or g["sub"] != sub:
        return None, None
    return call, g


def current_gather(eng: Engine, sid: str, gen: int, i: int) -> Any:
    entry = docs(eng).get(sid)
    if entry is None or entry[0] != gen:
        return None
    return entry[1].verbs[i]


def _gather_prompt(eng: Engine, sid: str, gen: int, sub: int, verb: twiml.Gather, j: int) -> None:
    call, g = _gather_state(eng, sid, gen, sub)
    if call is None:
        return
    if j >= len(verb.children):
        set_opts(call, _gather={**g, "prompting": False})
        _gather_wait(eng, call, verb, gen, sub)
        return
    media(eng, call, verb.children[j],
           lambda: _gather_prompt(eng, sid, gen, sub, verb, j + 1))


def _gather_wait(eng: Engine, call: Call, verb: twiml.Gather, gen: int, sub: int) -> None:
    sid = call.sid
    eng.after(float(verb.timeout), lambda: _gather_timeout(eng, sid, gen, sub),
              f"Gather timeout {sid}")


def _gather_timeout(eng: Engine, sid: str, gen: int, sub: int) -> None:
    call, g = _gather_state(eng, sid, gen, sub)
    if call is None:
        return
    _gather_submit(eng, call, g, "")


def on_digits(eng: Engine, call: Call, digits: str) -> None:
    """Keys pressed while the leg runs TwiML: a listening <Gather> collects them."""
    g = opt(call, "_gather")
    if not g or g["gen"] != int(opt(call, "_gen", 0)) or not g["listening"]:
        return
    verb = current_gather(eng, call.sid, g["gen"], g["i"])
    if verb is None:
        return
    for key in digits:
        if key not in "0123456789*#":
            continue
        g = dict(g)
        g["sub"] += 1  # stops the prompt chain and the running timer
        if g["prompting"]:
            g["prompting"] = False
            eng.media_event(tl.CALL_STOP_PLAY, call_sid=call.sid)
        if verb.finish_on_key and key == verb.finish_on_key:
            set_opts(call, _gather=g)
            _gather_submit(eng, call, g, key)
            return
        g["digits"] += key
        set_opts(call, _gather=g)
        if verb.num_digits and len(g["digits"]) >= verb.num_digits:
            _gather_submit(eng, call, g, "")
            return
    _gather_wait(eng, call, verb, g["gen"], g["sub"])


def _gather_submit(eng: Engine, call: Call, g: dict[str, Any], finished_on_key: str) -> None:
    verb = current_gather(eng, call.sid, g["gen"], g["i"])
    set_opts(call, _gather=None)
    if verb is None:
        return
    if not g["digits"] and not verb.action_on_empty_result:
        step(eng, call.sid, g["gen"], g["i"] + 1)  # no input: the next verb
        return
    extra = [("Digits", g["digits"])]
    if finished_on_key:
        extra.append(("FinishedOnKey", finished_on_key))
    if not verb.action:
        alert(eng, call, twiml.SCHEMA_WARNING, "<Gather> has no action and its TwiML has no "
               "URL (Twiml parameter): the input cannot be submitted", level="warning")
        step(eng, call.sid, g["gen"], g["i"] + 1)
        return
    fetch(eng, call, verb.action, verb.method, "gather", extra)
