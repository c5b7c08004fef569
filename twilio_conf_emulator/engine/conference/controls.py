"""Controls on a live conference: mute, hold, coach, modify and announce a participant; end or
announce to the conference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import BadRequest
from .. import audio_docs, speech_events
from .events import send_event
from .joining import check_coach_target
from .leaving import end
from .lookups import ACTIVE, touch

if TYPE_CHECKING:  # annotations only
    from ...store.models import Conference, Participant
    from ..core import Engine


def update_participant(eng: Engine, conf: Conference, part: Participant, p: dict[str, Any]) -> Participant:
    """POST .../Participants/{CallSid}: mute, hold, coach, announce, modify."""
    if "call_sid_to_coach" in p or p.get("coaching"):
        coaching = p.get("coaching", True if p.get("call_sid_to_coach") else part.coaching)
        target = p.get("call_sid_to_coach") or part.call_sid_to_coach
        if coaching:
            if not target:
                raise BadRequest("CallSidToCoach is required when Coaching is true", code=16028)
            check_coach_target(conf, target)
    if p.get("announce_url"):
        check_can_announce(conf)
    changed_modify = False
    if "muted" in p and p["muted"] != part.muted:
        part.muted = p["muted"]
        touch(eng, part)
        if part.status == "connected":
            eng.media_event("mute" if part.muted else "unmute", call_sid=part.call_sid,
                            conference_sid=conf.sid)
        if part.muted:
            speech_events.on_silenced(eng, conf, part)
        if part.status == "connected":  # before the join, participant-join carries it
            send_event(eng, conf, "participant-mute" if part.muted else "participant-unmute",
                       part)
            if not part.muted:
                speech_events.on_audible(eng, conf, part)
    if "hold" in p and p["hold"] != part.hold:
        part.hold = p["hold"]
        touch(eng, part)
        part.options = {**(part.options or {}), "hold_url": p.get("hold_url"),
                        "hold_method": p.get("hold_method") or "GET"}
        if part.hold:
            speech_events.on_silenced(eng, conf, part)
            audio_docs.play_hold(eng, conf, part, p.get("hold_url"),
                                 p.get("hold_method") or "GET")
        elif part.status == "connected":
            eng.media_event("unhold", call_sid=part.call_sid, conference_sid=conf.sid)
        if part.status == "connected":  # before the join, participant-join carries it
            send_event(eng, conf, "participant-hold" if part.hold else "participant-unhold",
                       part)
            if not part.hold:
                speech_events.on_audible(eng, conf, part)
    if "coaching" in p or "call_sid_to_coach" in p:
        coaching = p.get("coaching", True if p.get("call_sid_to_coach") else part.coaching)
        target = (p.get("call_sid_to_coach") or part.call_sid_to_coach) if coaching else None
        if coaching != part.coaching or target != part.call_sid_to_coach:
            part.coaching = bool(coaching)
            part.call_sid_to_coach = target
            changed_modify = True
            if part.status == "connected":
                eng.media_event("coach", call_sid=part.call_sid, conference_sid=conf.sid,
                                target=target)
    opts = dict(part.options or {})
    if "beep_on_exit" in p and p["beep_on_exit"] != opts.get("beep_on_exit"):
        opts["beep_on_exit"] = p["beep_on_exit"]
        changed_modify = True
    if "end_conference_on_exit" in p and p["end_conference_on_exit"] != part.end_conference_on_exit:
        part.end_conference_on_exit = p["end_conference_on_exit"]
        changed_modify = True
    if "wait_url" in p and (p["wait_url"] != opts.get("wait_url")
                            or p.get("wait_method") != opts.get("wait_method")):
        opts["wait_url"] = p["wait_url"]
        opts["wait_method"] = p.get("wait_method")
        changed_modify = True
        if conf.status == "init" and part.status == "connected":
            audio_docs.play_wait(eng, conf, part)
    part.options = opts
    if changed_modify:
        touch(eng, part)
        send_event(eng, conf, "participant-modify", part)
    if p.get("announce_url"):
        audio_docs.announce(eng, conf, part, p["announce_url"], p.get("announce_method") or "POST")
    return part


def check_can_announce(conf: Conference) -> None:
    """16001 ("not currently active"), with a message that says which way it is not."""
    if conf.status == "init":
        raise BadRequest(f"Conference {conf.sid} has not started yet: announcements play once "
                         "it is in progress", code=16001)
    if conf.status != "in-progress":
        raise BadRequest(f"Conference {conf.sid} is {conf.status}: it can no longer play "
                         "announcements", code=16001)


def update_conference(eng: Engine, conf: Conference, p: dict[str, Any]) -> Conference:
    """POST .../Conferences/{Sid}: Status=completed ends it; AnnounceUrl announces to all."""
    if p.get("announce_url"):
        check_can_announce(conf)
        audio_docs.announce(eng, conf, None, p["announce_url"], p.get("announce_method") or "POST")
    if p.get("status") == "completed" and conf.status in ACTIVE:
        end(eng, conf, "conference-ended-via-api")
    return conf
