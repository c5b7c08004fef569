"""<Dial><Conference>: join (or open) the named conference; when the caller leaves it, the <Dial>
ends and its action (or the next verb) runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import TwilioError
from .. import twiml
from ..conference import joining, lookups
from .dial_action import dial_done, dial_failed, dial_state
from .state import alert, opt, set_opts

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine

COACH_TARGET_MISSING = 13240


def run(eng: Engine, call: Call, dial: twiml.Dial, noun: twiml.Conference, gen: int, i: int) -> bool:
    """Join the conference ``noun`` names; True if the <Dial> now runs (see ``dial.run``)."""
    settings = {
        "status_callback": noun.status_callback,
        "status_callback_method": noun.status_callback_method,
        "status_callback_events": list(noun.status_callback_event),
        "record": noun.record,
        "trim": noun.trim,
        "recording_status_callback": noun.recording_status_callback,
        "recording_status_callback_method": noun.recording_status_callback_method,
        "recording_status_callback_events": list(noun.recording_status_callback_event),
        "max_participants": noun.max_participants,
        "region": noun.region,
        "event_callback_url": noun.event_callback_url,
    }
    account = call.account_sid
    conf = lookups.active_by_name(eng, account, noun.name) if noun.name else None
    try:
        if conf is not None:
            joining.check_label(conf, noun.participant_label, invalid_code=16023,
                                    in_use_code=16025)
        elif noun.participant_label is not None:
            joining.check_label(_NoOne, noun.participant_label, 16023, 16025)
    except TwilioError as err:
        # "The call will not be added into the conference and instead continue to the next
        # TwiML verb" (16025), whatever the Dial action.
        alert(eng, call, err.code, err.message)
        return False
    if noun.coach:
        try:
            if conf is None:
                raise TwilioError(f"Participant {noun.coach} to be coached is not present in "
                                  "the conference")
            if conf.status != "in-progress":
                raise TwilioError(f"Participant {noun.coach} to be coached is not in an "
                                  "in-progress conference")
            joining.check_coach_target(conf, noun.coach)
        except TwilioError as err:
            alert(eng, call, COACH_TARGET_MISSING, f"coach: {err.message}")
            return dial_failed(eng, call, dial, gen, i, "failed")
    if conf is not None:
        try:
            joining.check_capacity(conf)
        except TwilioError as err:
            alert(eng, call, err.code, err.message)
            return dial_failed(eng, call, dial, gen, i, eng.config.dial_call_status_when_full)
    try:
        conf = joining.conference_for(eng, account, noun.name, settings, path="")
    except TwilioError as err:
        alert(eng, call, twiml.CONFERENCE_NAME, f"<Conference>: {err.message}")
        return False
    wait_url: Any = noun.wait_url
    if wait_url is twiml.DEFAULT:
        wait_url = None
    p = {
        "label": noun.participant_label,
        "muted": noun.muted,
        "start_conference_on_enter": noun.start_conference_on_enter,
        "end_conference_on_exit": noun.end_conference_on_exit,
        "beep": noun.beep,
        "wait_url": wait_url,
        "wait_method": noun.wait_method,
        "jitter_buffer_size": noun.jitter_buffer_size,
        "time_limit": dial.time_limit,
        "hangup_on_star": dial.hangup_on_star,
        "call_sid_to_coach": noun.coach,
    }
    set_opts(call, _dial=dial_state(dial, "conference", gen, i, conference_sid=conf.sid))
    part = joining.add_participant(eng, conf, call, p, origin="twiml")
    joining.connect(eng, part)
    return True


class _NoOne:
    participants = ()


def after_conference(eng: Engine, call: Call, why: str) -> None:
    """The caller left its conference (ended, kicked, ``*``, timeLimit): the <Dial> ends."""
    d = opt(call, "_dial")
    if not d or d.get("kind") != "conference":
        return
    set_opts(call, _dial=None)
    if call.status != "in-progress" or int(opt(call, "_gen", 0)) != d["gen"]:
        return
    if why == "wait-url-failed":  # the conference was never established for this call
        dial_done(eng, call, d, "failed", (("DialBridged", "false"),))
        return
    dial_done(eng, call, d, eng.config.dial_call_status_after_conference,
              (("DialBridged", "true"),))
