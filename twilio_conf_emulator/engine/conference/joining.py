"""Opening a conference and joining it: settings fixed by the first participant, labels, coaching
and capacity checks, the join itself and the start rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import BadRequest
from ...sids import is_sid
from ...store.models import Conference, Participant
from .. import amd, audio_docs, recording, speech_events
from .. import calls as call_legs
from ..actions import schedule
from .events import send_event
from .leaving import leave, leave_by_dial_end, release_call
from .lookups import (
    ACTIVE,
    active_by_name,
    active_participants,
    connected_participants,
    get_conference,
    lookups,
    participant_for_call,
    touch,
)

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine

# Conference settings the first participant fixes (option name -> default).
CONFERENCE_SETTINGS = {
    "status_callback": None,
    "status_callback_method": "POST",
    "status_callback_events": ["start", "end"],
    "record": "do-not-record",
    "trim": "trim-silence",
    "recording_status_callback": None,
    "recording_status_callback_method": "POST",
    "recording_status_callback_events": ["completed"],
    "recording_channels": "mono",
    "max_participants": 250,
    "region": None,
    "event_callback_url": None,
}


def new_conference(eng: Engine, account_sid: str, name: str, settings: dict[str, Any]) -> Conference:
    now = eng.now()
    opts = {k: settings.get(k, d) if settings.get(k) is not None else d
            for k, d in CONFERENCE_SETTINGS.items()}
    conf = Conference(
        sid=eng.sids.new("CF"), account_sid=account_sid, friendly_name=name, status="init",
        region=opts["region"] or "us1", date_created=now, date_updated=now,
        event_seq=eng.config.conference_sequence_start - 1, options=opts,
    )
    eng.db.add(conf)
    conf.participants  # noqa: B018 - load the (empty) collection now
    lookups(eng, "active_conference_by_name")[(account_sid, name)] = conf
    return conf


def conference_for(eng: Engine, account_sid: str, ref: str | None, settings: dict[str, Any],
                   path: str) -> Conference:
    """The conference a new participant goes into: by CF SID (must be active) or by name."""
    if is_sid(ref, "CF"):
        conf = get_conference(eng, account_sid, ref, path)
        if conf.status not in ACTIVE:
            raise BadRequest(f"Conference {ref} does not exist or is completed", code=16022)
    elif not ref or len(ref) > 128:
        raise BadRequest("Could not recognize conference sid or friendly name", code=16003)
    else:
        found = active_by_name(eng, account_sid, ref)
        if found is None:
            return new_conference(eng, account_sid, ref, settings)
        conf = found
    # The region is the first one any participant names; one without a region fixes nothing.
    if settings.get("region") and not conf.options.get("region"):
        conf.options = {**conf.options, "region": settings["region"]}
        conf.region = settings["region"]
    return conf


def check_label(conf: Any, label: str | None, invalid_code: int, in_use_code: int) -> None:
    if label is None:
        return
    if len(label) > 128 or is_sid(label, "CA") or "/" in label or "%2f" in label.lower():
        raise BadRequest(f"Invalid participant label: {label!r}", code=invalid_code)
    if any(p.label == label for p in active_participants(conf)):
        raise BadRequest(f"Participant label {label!r} is in use by another participant",
                         code=in_use_code)


def check_coach_target(conf: Conference, target_sid: str) -> Participant:
    target = next((p for p in connected_participants(conf) if p.call_sid == target_sid), None)
    if target is None:
        raise BadRequest(f"Participant {target_sid} to be coached is not present in the "
                         "conference", code=16028)
    if target.hold:
        raise BadRequest(f"Participant {target_sid} to be coached is on hold", code=16027)
    return target


def check_capacity(conf: Conference) -> None:
    limit = int(conf.options.get("max_participants") or 250)
    # Fewer rows than the limit, active or not: no need to count the active ones (a create
    # into a conference of 250 would scan them all).
    if len(conf.participants) >= limit and len(active_participants(conf)) >= limit:
        raise BadRequest("Conference is full", code=16020)


def add_participant(eng: Engine, conf: Conference, call: Call, p: dict[str, Any], origin: str) -> Participant:
    """A participant row for ``call`` in ``conf`` (status queued until its leg progresses)."""
    now = eng.now()
    coach = p.get("call_sid_to_coach")
    part = Participant(
        conference_sid=conf.sid, call_sid=call.sid, account_sid=conf.account_sid,
        label=p.get("label"), muted=bool(p.get("muted", False)), hold=False,
        coaching=bool(coach), call_sid_to_coach=coach,
        start_conference_on_enter=p.get("start_conference_on_enter", True),
        end_conference_on_exit=p.get("end_conference_on_exit", False),
        status="queued", date_created=now, date_updated=now, active=True,
        options={
            "origin": origin,
            "beep": p.get("beep", "true"),
            "beep_on_exit": None,
            "wait_url": p.get("wait_url"),
            "wait_method": p.get("wait_method"),
            "jitter_buffer_size": p.get("jitter_buffer_size", "large"),
            "early_media": p.get("early_media", True),
            "time_limit": p.get("time_limit"),
            "hangup_on_star": p.get("hangup_on_star", False),
        },
    )
    eng.db.add(part)
    conf.participants.append(part)
    conf.date_updated = now
    lookups(eng, "participant_by_call")[call.sid] = part
    return part


def create_participant(eng: Engine, account: Any, conference_ref: str, p: dict[str, Any],
                       path: str) -> Participant:
    """POST .../Participants.json: dial ``To`` and put it into the conference when it answers."""
    settings = p.get("conference_settings") or {}
    conf = conference_for(eng, account.sid, conference_ref, settings, path)
    check_label(conf, p.get("label"), invalid_code=16024, in_use_code=16026)
    if p.get("coaching") and not p.get("call_sid_to_coach"):
        raise BadRequest("CallSidToCoach is required when Coaching is true", code=16028)
    if p.get("call_sid_to_coach"):
        if p.get("coaching") is False:
            p["call_sid_to_coach"] = None
        else:
            check_coach_target(conf, p["call_sid_to_coach"])
    check_capacity(conf)
    call = call_legs.new_call(
        eng, account.sid, to=p["to"], from_=call_legs.caller_id(p), direction="outbound-api",
        purpose="participant", conference_sid=conf.sid,
        status_callback=p.get("status_callback"),
        status_callback_method=p.get("status_callback_method", "POST"),
        status_callback_events=p.get("status_callback_event") or ["completed"],
        timeout=p.get("timeout", 60), time_limit=p.get("time_limit"),
        record=p.get("record", False), **call_legs.recording_options(p),
        **amd.request_options(p, "amd_status_callback", "amd_status_callback_method",
                              run_async=not eng.config.participant_amd_holds_join),
    )
    part = add_participant(eng, conf, call, p, origin="api")
    call_legs.dial(eng, call)
    return part


def connect(eng: Engine, part: Participant) -> None:
    """The participant's leg answered: it is now in the conference."""
    conf = part.conference
    if conf.status not in ACTIVE:
        # The conference ended while this leg was ringing: hang it up.
        part.active = False
        part.status = "complete"
        touch(eng, part)
        call_legs.hangup(eng, part.call_sid, by="api")
        return
    part.status = "connected"
    part.joined_at = eng.now()
    touch(eng, part, conf)
    opts = part.options or {}
    eng.media_event(
        "conf-enter", call_sid=part.call_sid, conference_sid=conf.sid, muted=part.muted,
        jitter=opts.get("jitter_buffer_size", "large"),
        wait_audio=None,  # set by the wait-audio event play_wait sends
    )
    if part.coaching and part.call_sid_to_coach:
        eng.media_event("coach", call_sid=part.call_sid, conference_sid=conf.sid,
                        target=part.call_sid_to_coach)
    if part.muted:
        eng.media_event("mute", call_sid=part.call_sid, conference_sid=conf.sid)
    if part.hold:  # put on hold while it was still ringing
        audio_docs.play_hold(eng, conf, part, opts.get("hold_url"),
                             opts.get("hold_method") or "GET")
    if conf.status == "init" and should_start(eng, conf):
        # Which comes first is undocumented; by default the join that causes the start.
        if eng.config.start_event_after_join:
            send_event(eng, conf, "participant-join", part)
            start(eng, conf, part)
        else:
            start(eng, conf, part)
            send_event(eng, conf, "participant-join", part)
    else:
        send_event(eng, conf, "participant-join", part)
        if conf.status == "init":
            audio_docs.play_wait(eng, conf, part, on_fail=lambda sid: _wait_failed(eng, sid))
        elif opts.get("beep") in ("true", "onEnter"):
            eng.media_event("beep", conference_sid=conf.sid, kind="enter")
    if opts.get("time_limit"):
        sid = part.call_sid
        schedule(eng, float(opts["time_limit"]), "participant.time-limit", f"timeLimit {sid}",
                 call_sid=sid)
    speech_events.on_join(eng, conf, part)


def _wait_failed(eng: Engine, call_sid: str) -> bool:
    """A ``<Dial><Conference>`` leg whose waitUrl failed: "the conference is not established".
    It leaves (participant_add_failed, its call in-progress) and its TwiML goes on after the
    <Dial> (the Dial action gets DialCallStatus=failed). True if it was taken out."""
    part = participant_for_call(eng, call_sid)
    if (part is None or part.status != "connected" or part.conference.status != "init"
            or (part.options or {}).get("origin") != "twiml"):
        return False
    leave(eng, part, "participant_add_failed", call_status="in-progress")
    release_call(eng, part, "wait-url-failed")
    return True


def _time_limit(eng: Engine, call_sid: str) -> None:
    part = participant_for_call(eng, call_sid)
    if part is not None and part.status == "connected":
        leave_by_dial_end(eng, part, "time-limit")


def should_start(eng: Engine, conf: Conference) -> bool:
    connected = connected_participants(conf)
    needed = 1 if eng.config.start_with_single_participant else 2
    return len(connected) >= needed and any(p.start_conference_on_enter for p in connected)


def start(eng: Engine, conf: Conference, starter: Participant) -> None:
    """``starter`` joined and started it: the start beep is its entry beep, so it follows
    that participant's ``beep`` (true/onEnter beep; false/onExit are silent)."""
    conf.status = "in-progress"
    conf.started_at = eng.now()
    touch(eng, conf)
    send_event(eng, conf, "conference-start")
    eng.media_event("conf-start", conference_sid=conf.sid)
    for waiting in connected_participants(conf):  # a talker waiting is heard from now
        speech_events.on_audible(eng, conf, waiting)
    if (starter.options or {}).get("beep") in ("true", "onEnter"):
        eng.media_event("beep", conference_sid=conf.sid, kind="enter")
    recording.on_conference_start(eng, conf)
