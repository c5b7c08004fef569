"""The ``twiml`` leg purpose (what a call running TwiML does as it progresses), and the Calls API
redirect of a live call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ...media import timeline as tl
from .. import calls as call_legs
from ..conference import leaving, lookups
from ..core import LegPurpose
from . import gather, gather_speech
from .dial_action import action_after_hangup
from .dial_conference import after_conference
from .dial_number import hang_up_child
from .runner import fetch, run_text, start
from .state import docs, new_gen, opt, set_opts

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine


# -- the twiml purpose -------------------------------------------------------------------------------
class TwimlLeg(LegPurpose):
    """A leg running TwiML. ``verbs`` maps a verb class to its family's ``run(eng, call, verb,
    gen, i)`` (see ``runner.step``): a new verb family is one module and one entry there."""

    def __init__(self, verbs: Mapping[type, Callable[..., bool]]) -> None:
        self.verbs = dict(verbs)

    def on_answer(self, eng: Engine, call: Call) -> None:
        start(eng, call)

    def on_failed(self, eng: Engine, call: Call) -> None:
        new_gen(call)
        docs(eng).pop(call.sid, None)
        part = lookups.participant_for_call(eng, call.sid)
        if part is not None:
            leaving.leave(eng, part, "participant_hung_up", call_status=call.status)
        hang_up_child(eng, call)

    def on_hangup(self, eng: Engine, call: Call, by: str) -> None:
        new_gen(call)
        docs(eng).pop(call.sid, None)
        dial = opt(call, "_dial")
        part = lookups.participant_for_call(eng, call.sid)
        if part is not None:
            set_opts(call, _dial=None)
            leaving.leave(eng, part, "participant_hung_up" if by == "caller"
                          else "participant_updated_via_api")
        hang_up_child(eng, call)
        if by == "caller":
            action_after_hangup(eng, call, dial)

    def on_digits(self, eng: Engine, call: Call, digits: str) -> None:
        part = lookups.participant_for_call(eng, call.sid)
        if part is not None:
            leaving.press_digits(eng, part, digits)
            return
        d = opt(call, "_dial")
        if d and d.get("kind") == "number":
            if "*" in digits and d.get("hangup_on_star"):
                call_legs.hangup(eng, d["child"], by="api")
            return
        gather.on_digits(eng, call, digits)

    def on_speech(self, eng: Engine, call: Call, text: str) -> None:
        if lookups.participant_for_call(eng, call.sid) is None:
            gather_speech.on_speech(eng, call, text)

    def on_conference_left(self, eng: Engine, call: Call, why: str) -> None:
        after_conference(eng, call, why)


# -- the Calls API: redirect a live call ------------------------------------------------------------
def redirect(eng: Engine, call: Call, url: str | None = None, method: str = "POST",
             twiml: str | None = None) -> None:
    """``POST /Calls/{Sid}`` with ``Url``/``Twiml``: the current TwiML stops (a participant
    leaves its conference with ``participant_updated_via_api``) and the new one runs."""
    part = lookups.participant_for_call(eng, call.sid)
    set_opts(call, url=url, method=method or "POST", twiml=twiml, purpose="twiml", _dial=None)
    if part is not None:  # the call goes on with the new TwiML
        leaving.leave(eng, part, "participant_updated_via_api", call_status="in-progress")
    hang_up_child(eng, call)
    eng.media_event(tl.CALL_STOP_PLAY, call_sid=call.sid)
    new_gen(call)
    if twiml:
        run_text(eng, call, twiml)
    else:
        fetch(eng, call, url, method or "POST", "redirect")
