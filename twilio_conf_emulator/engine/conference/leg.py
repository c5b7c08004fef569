"""The ``participant`` leg purpose: a leg the Participants API dialled joins its conference when
it answers and leaves it when it ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import calls as call_legs
from ..core import LegPurpose
from .joining import connect
from .leaving import leave, press_digits
from .lookups import participant_for_call, touch

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine


class ParticipantLeg(LegPurpose):
    def on_progress(self, eng: Engine, call: Call, event: str) -> None:
        part = participant_for_call(eng, call.sid)
        if part is None:
            return
        part.status = {"initiated": "connecting", "ringing": "ringing"}[event]
        touch(eng, part)

    def on_answer(self, eng: Engine, call: Call) -> None:
        part = participant_for_call(eng, call.sid)
        if part is not None:
            connect(eng, part)
        else:
            call_legs.hangup(eng, call.sid, by="api")

    def on_failed(self, eng: Engine, call: Call) -> None:
        part = participant_for_call(eng, call.sid)
        if part is None:
            return
        leave(eng, part, "participant_add_failed", call_status=call.status)

    def on_hangup(self, eng: Engine, call: Call, by: str) -> None:
        part = participant_for_call(eng, call.sid)
        if part is None:
            return
        leave(eng, part, "participant_hung_up" if by == "caller" else "participant_updated_via_api")

    def on_digits(self, eng: Engine, call: Call, digits: str) -> None:
        part = participant_for_call(eng, call.sid)
        if part is not None:
            press_digits(eng, part, digits)

    def on_conference_left(self, eng: Engine, call: Call, why: str) -> None:
        # An API participant's call has nothing else to do: it hangs up.
        call_legs.hangup(eng, call.sid, by="api")
