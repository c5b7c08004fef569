"""A conference's participants: a page of the list, fetch and update (mute, hold, coach,
announce, modify), shared by the Flask views (api/participants.py) and the requests served
without Flask (api/hot.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.conference import controls, lookups
from . import filters, render
from .paging import paginate
from .params import PAGING, TBool, TMethod, TSid, TUrl, field, schema_class

if TYPE_CHECKING:  # annotations only
    from werkzeug.datastructures import MultiDict

    from ..engine.core import Engine
    from ..store.models import Account
    from .ignored import Usage

UpdateParams = schema_class("UpdateParticipantParams", {
    "muted": field(TBool, "Muted"),
    "hold": field(TBool, "Hold"),
    "hold_url": field(TUrl, "HoldUrl", code=21205, allow_empty=True),
    "hold_method": field(TMethod, "HoldMethod"),
    "announce_url": field(TUrl, "AnnounceUrl", code=21205),
    "announce_method": field(TMethod, "AnnounceMethod"),
    "wait_url": field(TUrl, "WaitUrl", code=21205, allow_empty=True),
    "wait_method": field(TMethod, "WaitMethod"),
    "beep_on_exit": field(TBool, "BeepOnExit"),
    "end_conference_on_exit": field(TBool, "EndConferenceOnExit"),
    "coaching": field(TBool, "Coaching"),
    "call_sid_to_coach": field(TSid, "CallSidToCoach", code=16028, prefix="CA"),
})


ListParams = schema_class("ListParticipantParams", dict(PAGING))


def page(eng: Engine, account: Account, conference_sid: str, args: MultiDict[str, str], path: str,
         usage: Usage | None = None) -> dict[str, Any]:
    """GET .../Participants.json: one page of the active participants, filtered by ``Muted``,
    ``Hold`` and ``Coaching``."""
    p = ListParams.parse(args, usage)
    preds = (filters.bool_filter(args, "Muted", "muted", usage)
             + filters.bool_filter(args, "Hold", "hold", usage)
             + filters.bool_filter(args, "Coaching", "coaching", usage))
    with eng.transaction():
        conf = lookups.get_conference(eng, account.sid, conference_sid, path)
        rows = filters.apply(lookups.active_participants(conf), preds)
        # Twilio's participant page tokens are PACP…/PBCP…: the call's 32 hex digits
        # under the participant prefix CP.
        return paginate(rows, "participants", render.participant, path, args, p,
                        sid_of=lambda x: "CP" + x.call_sid[2:])


def fetch(eng: Engine, account: Account, conference_sid: str, call_sid: str,
          path: str) -> dict[str, Any]:
    """GET .../Participants/{CallSid or label}.json: its body (404 if not active)."""
    with eng.transaction():
        conf = lookups.get_conference(eng, account.sid, conference_sid, path)
        return render.participant(lookups.find_participant(eng, conf, call_sid, path))


def update(eng: Engine, account: Account, conference_sid: str, call_sid: str,
           p: dict[str, Any], path: str) -> dict[str, Any]:
    """POST .../Participants/{CallSid or label}.json with parsed ``p``: its new body."""
    with eng.transaction():
        conf = lookups.get_conference(eng, account.sid, conference_sid, path)
        part = lookups.find_participant(eng, conf, call_sid, path)
        controls.update_participant(eng, conf, part, p)
        return render.participant(part)
