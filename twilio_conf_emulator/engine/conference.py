"""Conference lifecycle rules (Twilio's, see reference §1, §2, §4.1).

- A conference is ``init`` until at least two participants are connected and one of them has
  startConferenceOnEnter; then ``in-progress``; it ends by the API, when an endConferenceOnExit
  participant leaves or is kicked, or when its last participant leaves.
- Only one active conference per friendly name; a new one after completion gets a new SID.
- The first participant fixes the conference settings; later values are ignored.
- Only active participants are listed or reachable; one that left is a 404.
"""

import re

from sqlalchemy import inspect

from ..errors import BadRequest, NotFound
from ..store.models import Call, Conference, Participant
from .actions import action, schedule
from . import calls as call_legs
from .callbacks import CONFERENCE_EVENT_TOKEN, conference_event_params

ACTIVE = ("init", "in-progress")
LEFT_STATUSES = ("complete", "failed")
CALL_SID_RE = re.compile(r"^CA[0-9a-f]{32}$")
CONFERENCE_SID_RE = re.compile(r"^CF[0-9a-fA-F]{32}$")

REASON_TEXT = {
    "conference-ended-via-api": "Conference ended via API",
    "participant-with-end-conference-on-exit-left":
        "Participant {call} with endConferenceOnExit left the conference",
    "participant-with-end-conference-on-exit-kicked":
        "Participant {call} with endConferenceOnExit was kicked from the conference",
    "last-participant-left": "Last participant {call} left the conference",
    "last-participant-kicked": "Last participant {call} was kicked from the conference",
}

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


# -- lookups ----------------------------------------------------------------------------------
def get_conference(eng, account_sid, sid, path):
    conf = eng.db.get(Conference, sid) if sid else None
    if conf is None or conf.account_sid != account_sid:
        raise NotFound(path)
    return conf


def _in_session(row):
    """A cached row is trusted while it is still in the session (a rolled-back insert leaves
    it; a rolled-back change is read again)."""
    state = inspect(row)
    return state.persistent or state.pending


def lookups(eng, name):
    """A lookup cache of the session (``session.info``; reset empties it with the store)."""
    return eng.db.info.setdefault(name, {})


def active_by_name(eng, account_sid, name):
    # Cached like participant_for_call: trusted while still in the session and active.
    cache = lookups(eng, "active_conference_by_name")
    conf = cache.get((account_sid, name))
    if conf is not None and _in_session(conf) and conf.status in ACTIVE:
        return conf
    conf = (
        eng.db.query(Conference)
        .filter(Conference.account_sid == account_sid, Conference.friendly_name == name,
                Conference.status.in_(ACTIVE))
        .order_by(Conference.date_created.desc())
        .first()
    )
    if conf is not None:
        cache[(account_sid, name)] = conf
    return conf


def active_participants(conf):
    return [p for p in conf.participants if p.active]


def connected_participants(conf):
    return [p for p in conf.participants if p.active and p.status == "connected"]


def find_participant(eng, conf, ref, path):
    """By Call SID or by label, among active participants only."""
    for p in active_participants(conf):
        if p.call_sid == ref or (p.label is not None and p.label == ref):
            return p
    raise NotFound(path)


def participant_for_call(eng, call_sid):
    """The active participant of ``call_sid``, or None. Hot (every leg event asks), so the
    last answer is cached and trusted while it is still in the session and still active."""
    cache = lookups(eng, "participant_by_call")
    part = cache.get(call_sid)
    if part is not None and _in_session(part) and part.active and part.call_sid == call_sid:
        return part
    part = (
        eng.db.query(Participant)
        .filter(Participant.call_sid == call_sid, Participant.active.is_(True))
        .first()
    )
    if part is not None:
        cache[call_sid] = part
    else:
        cache.pop(call_sid, None)
    return part


# -- creation -----------------------------------------------------------------------------
def new_conference(eng, account_sid, name, settings):
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


def conference_for(eng, account_sid, ref, settings, path):
    """The conference a new participant goes into: by CF SID (must be active) or by name."""
    if CONFERENCE_SID_RE.match(ref or ""):
        conf = get_conference(eng, account_sid, ref, path)
        if conf.status not in ACTIVE:
            raise BadRequest(f"Conference {ref} does not exist or is completed", code=16022)
        return conf
    if not ref or len(ref) > 128:
        raise BadRequest("Could not recognize conference sid or friendly name", code=16003)
    return active_by_name(eng, account_sid, ref) or new_conference(eng, account_sid, ref,
                                                                   settings)


def check_label(conf, label, invalid_code, in_use_code):
    if label is None:
        return
    if len(label) > 128 or CALL_SID_RE.match(label) or "/" in label or "%2f" in label.lower():
        raise BadRequest(f"Invalid participant label: {label!r}", code=invalid_code)
    if any(p.label == label for p in active_participants(conf)):
        raise BadRequest(f"Participant label {label!r} is in use by another participant",
                         code=in_use_code)


def check_coach_target(conf, target_sid):
    target = next((p for p in connected_participants(conf) if p.call_sid == target_sid), None)
    if target is None:
        raise BadRequest(f"Participant {target_sid} to be coached is not present in the "
                         "conference", code=16028)
    if target.hold:
        raise BadRequest(f"Participant {target_sid} to be coached is on hold", code=16027)
    return target


def check_capacity(conf):
    if len(active_participants(conf)) >= int(conf.options.get("max_participants") or 250):
        raise BadRequest("Conference is full", code=16020)


def add_participant(eng, conf, call, p, origin):
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


def create_participant(eng, account, conference_ref, p, path):
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
        eng, account.sid, to=p["to"], from_=p["from_"], direction="outbound-api",
        purpose="participant", conference_sid=conf.sid,
        status_callback=p.get("status_callback"),
        status_callback_method=p.get("status_callback_method", "POST"),
        status_callback_events=p.get("status_callback_event") or ["completed"],
        timeout=p.get("timeout", 60), time_limit=p.get("time_limit"),
        record=p.get("record", False), **call_legs.recording_options(p),
    )
    part = add_participant(eng, conf, call, p, origin="api")
    call_legs.dial(eng, call)
    return part


# -- status callbacks ---------------------------------------------------------------------------
def send_event(eng, conf, event, participant=None, extra=()):
    opts = conf.options or {}
    token = CONFERENCE_EVENT_TOKEN[event]
    subscribed = token in (opts.get("status_callback_events") or [])
    url = opts.get("status_callback")
    if not (url and subscribed):
        if eng.config.sequence_counts_unsubscribed:
            conf.event_seq += 1
        return
    conf.event_seq += 1
    from ..webhooks.transport import OutboundRequest

    params = conference_event_params(conf, event, eng.now(), conf.event_seq, participant, extra)
    eng.emit_request(
        OutboundRequest(url=url, method=opts.get("status_callback_method") or "POST",
                        params=params, kind="conference-status"),
        account_sid=conf.account_sid, conference_sid=conf.sid,
        call_sid=participant.call_sid if participant is not None else None,
    )


def touch(eng, *rows):
    for r in rows:
        r.date_updated = eng.now()


# -- joining -------------------------------------------------------------------------------
def connect(eng, part):
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
    if conf.status == "init" and should_start(eng, conf):
        # Which comes first is undocumented; by default the join that causes the start.
        if eng.config.start_event_after_join:
            send_event(eng, conf, "participant-join", part)
            start(eng, conf)
        else:
            start(eng, conf)
            send_event(eng, conf, "participant-join", part)
    else:
        send_event(eng, conf, "participant-join", part)
        if conf.status == "init":
            from . import audio_docs

            audio_docs.play_wait(eng, conf, part)
        elif opts.get("beep") in ("true", "onEnter"):
            eng.media_event("beep", conference_sid=conf.sid, kind="enter")
    if opts.get("time_limit"):
        sid = part.call_sid
        schedule(eng, float(opts["time_limit"]), "participant.time-limit", f"timeLimit {sid}",
                 call_sid=sid)
    from . import speech_events

    speech_events.on_join(eng, conf, part)


@action("participant.time-limit")
def _time_limit(eng, call_sid):
    part = participant_for_call(eng, call_sid)
    if part is not None and part.status == "connected":
        leave_by_dial_end(eng, part, "time-limit")


def should_start(eng, conf):
    connected = connected_participants(conf)
    needed = 1 if eng.config.start_with_single_participant else 2
    return len(connected) >= needed and any(p.start_conference_on_enter for p in connected)


def start(eng, conf):
    conf.status = "in-progress"
    conf.started_at = eng.now()
    touch(eng, conf)
    send_event(eng, conf, "conference-start")
    eng.media_event("conf-start", conference_sid=conf.sid)
    eng.media_event("beep", conference_sid=conf.sid, kind="enter")
    from . import recording

    recording.on_conference_start(eng, conf)


# -- leaving -------------------------------------------------------------------------------
def leave(eng, part, reason, call_status="completed", kicked=False):
    """Take ``part`` out of its conference and apply the end rules."""
    conf = part.conference
    if not part.active:
        return
    was_connected = part.status == "connected"
    from . import speech_events

    speech_events.on_silenced(eng, conf, part)
    part.active = False
    part.status = "complete" if was_connected else "failed"
    part.left_at = eng.now()
    touch(eng, part, conf)
    if was_connected:
        eng.media_event("conf-leave", call_sid=part.call_sid, conference_sid=conf.sid)
    send_event(eng, conf, "participant-leave", part, extra=(
        ("ParticipantCallStatus", call_status),
        ("ReasonParticipantLeft", reason),
    ))
    opts = part.options or {}
    if was_connected and conf.status == "in-progress" and (
        opts.get("beep_on_exit") or (opts.get("beep_on_exit") is None
                                     and opts.get("beep") in ("true", "onExit"))
    ):
        eng.media_event("beep", conference_sid=conf.sid, kind="exit")
    if conf.status not in ACTIVE:
        return
    if was_connected and part.end_conference_on_exit:
        end(eng, conf,
            "participant-with-end-conference-on-exit-kicked" if kicked
            else "participant-with-end-conference-on-exit-left",
            part.call_sid, part.label)
    elif not active_participants(conf):
        end(eng, conf, "last-participant-kicked" if kicked else "last-participant-left",
            part.call_sid, part.label)


def end(eng, conf, reason, ending_call_sid=None, ending_label=None):
    """End ``conf``: everyone still in leaves, then conference-end."""
    if conf.status not in ACTIVE:
        return
    conf.status = "completed"
    conf.ended_at = eng.now()
    conf.reason_conference_ended = reason
    conf.call_sid_ending_conference = ending_call_sid
    touch(eng, conf)
    left_reason = ("conference_ended_via_api" if reason == "conference-ended-via-api"
                   else "moderator_ended_conference")
    from . import speech_events

    for part in active_participants(conf):
        if part.status == "connected":
            speech_events.on_silenced(eng, conf, part)
            part.active = False
            part.status = "complete"
            part.left_at = eng.now()
            touch(eng, part)
            eng.media_event("conf-leave", call_sid=part.call_sid, conference_sid=conf.sid)
            send_event(eng, conf, "participant-leave", part, extra=(
                ("ParticipantCallStatus", "completed"),
                ("ReasonParticipantLeft", left_reason),
            ))
            release_call(eng, part, "conference-ended")
        else:
            # Still being dialled: the leg is canceled, the participant never joined.
            part.active = False
            part.status = "failed"
            touch(eng, part)
            call_legs.hangup(eng, part.call_sid, by="api")
    extra = []
    if ending_call_sid:
        extra.append(("CallSidEndingConference", ending_call_sid))
    if ending_label:
        extra.append(("ParticipantLabelEndingConference", ending_label))
    extra.append(("ReasonConferenceEnded", reason))
    if eng.config.send_reason_text:
        extra.append(("Reason", REASON_TEXT[reason].format(call=ending_call_sid or "")))
    send_event(eng, conf, "conference-end", extra=extra)
    eng.media_event("conf-end", conference_sid=conf.sid)
    from . import recording

    recording.on_conference_end(eng, conf)


def release_call(eng, part, why):
    """After a participant leaves: an API leg hangs up; a TwiML leg goes on after <Dial>."""
    call = eng.db.get(Call, part.call_sid)
    if call is None:
        return
    if (part.options or {}).get("origin") == "twiml":
        from . import voice

        voice.after_conference(eng, call, why)
    else:
        call_legs.hangup(eng, call.sid, by="api")


def leave_by_dial_end(eng, part, why):
    """hangupOnStar, timeLimit: the participant leaves, its call goes on (TwiML) or ends."""
    leave(eng, part, "participant_hung_up" if why == "star" else "participant_updated_via_api")
    release_call(eng, part, why)


def kick(eng, part):
    """DELETE .../Participants/{CallSid}: remove the participant now."""
    if part.status != "connected":
        call_legs.hangup(eng, part.call_sid, by="api")
        return
    leave(eng, part, "participant_updated_via_api", kicked=True)
    release_call(eng, part, "kicked")


# -- controls ----------------------------------------------------------------------------------
def update_participant(eng, conf, part, p):
    """POST .../Participants/{CallSid}: mute, hold, coach, announce, modify."""
    if "call_sid_to_coach" in p or p.get("coaching"):
        coaching = p.get("coaching", True if p.get("call_sid_to_coach") else part.coaching)
        target = p.get("call_sid_to_coach") or part.call_sid_to_coach
        if coaching:
            if not target:
                raise BadRequest("CallSidToCoach is required when Coaching is true", code=16028)
            check_coach_target(conf, target)
    if p.get("announce_url") and conf.status != "in-progress":
        raise BadRequest("Conference is not bridged: announcements start once it has started",
                         code=16001)
    from . import audio_docs

    changed_modify = False
    if "muted" in p and p["muted"] != part.muted:
        part.muted = p["muted"]
        touch(eng, part)
        if part.status == "connected":
            eng.media_event("mute" if part.muted else "unmute", call_sid=part.call_sid,
                            conference_sid=conf.sid)
        if part.muted:
            from . import speech_events

            speech_events.on_silenced(eng, conf, part)
        send_event(eng, conf, "participant-mute" if part.muted else "participant-unmute", part)
    if "hold" in p and p["hold"] != part.hold:
        part.hold = p["hold"]
        touch(eng, part)
        if part.hold:
            from . import speech_events

            speech_events.on_silenced(eng, conf, part)
            audio_docs.play_hold(eng, conf, part, p.get("hold_url"),
                                 p.get("hold_method") or "GET")
        elif part.status == "connected":
            eng.media_event("unhold", call_sid=part.call_sid, conference_sid=conf.sid)
        send_event(eng, conf, "participant-hold" if part.hold else "participant-unhold", part)
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


def update_conference(eng, conf, p):
    """POST .../Conferences/{Sid}: Status=completed ends it; AnnounceUrl announces to all."""
    if p.get("announce_url"):
        if conf.status != "in-progress":
            raise BadRequest("Conference is not bridged: announcements start once it has "
                             "started", code=16001)
        from . import audio_docs

        audio_docs.announce(eng, conf, None, p["announce_url"], p.get("announce_method") or "POST")
    if p.get("status") == "completed" and conf.status in ACTIVE:
        end(eng, conf, "conference-ended-via-api")
    return conf


# -- the participant purpose: what a participant leg does as it progresses -------------------
class ParticipantLeg:
    @staticmethod
    def on_progress(eng, call, event):
        part = participant_for_call(eng, call.sid)
        if part is None:
            return
        part.status = {"initiated": "connecting", "ringing": "ringing"}[event]
        touch(eng, part)

    @staticmethod
    def on_answer(eng, call):
        part = participant_for_call(eng, call.sid)
        if part is not None:
            connect(eng, part)
        else:
            call_legs.hangup(eng, call.sid, by="api")

    @staticmethod
    def on_failed(eng, call):
        part = participant_for_call(eng, call.sid)
        if part is None:
            return
        leave(eng, part, "participant_add_failed", call_status=call.status)

    @staticmethod
    def on_hangup(eng, call, by):
        part = participant_for_call(eng, call.sid)
        if part is None:
            return
        leave(eng, part, "participant_hung_up" if by == "caller" else "participant_updated_via_api")

    @staticmethod
    def on_digits(eng, call, digits):
        part = participant_for_call(eng, call.sid)
        if part is not None and "*" in digits and (part.options or {}).get("hangup_on_star"):
            leave_by_dial_end(eng, part, "star")


call_legs.PURPOSES["participant"] = ParticipantLeg
