"""Conference status callbacks: one ``statusCallback`` request per subscribed event, numbered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...webhooks.transport import OutboundRequest
from ..callbacks import CONFERENCE_EVENT_TOKEN, conference_event_params

if TYPE_CHECKING:  # annotations only
    from ...store.models import Conference, Participant
    from ..core import Engine


def send_event(eng: Engine, conf: Conference, event: str, participant: Participant | None = None,
               extra: Iterable[tuple[str, Any]] = ()) -> None:
    opts = conf.options or {}
    token = CONFERENCE_EVENT_TOKEN[event]
    subscribed = token in (opts.get("status_callback_events") or [])
    url = opts.get("status_callback")
    if not (url and subscribed):
        if eng.config.sequence_counts_unsubscribed:
            conf.event_seq += 1
        return
    conf.event_seq += 1
    params = conference_event_params(conf, event, eng.now(), conf.event_seq, participant, extra)
    eng.emit_request(
        OutboundRequest(url=url, method=opts.get("status_callback_method") or "POST",
                        params=params, kind="conference-status"),
        account_sid=conf.account_sid, conference_sid=conf.sid,
        call_sid=participant.call_sid if participant is not None else None,
    )
