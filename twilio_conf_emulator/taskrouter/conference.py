"""The ``conference`` instruction, as seed 004 describes it.

1. The worker is dialled (``To``, or its ``contact_uri`` attribute) as a participant of a
   conference whose friendly name is the Task SID, with the instruction's parameters.
2. When the worker answers, the reservation is accepted, the caller is moved from the queue
   into the same conference, and the Task's attributes gain ``conference.room_name``,
   ``conference.sid`` and ``conference.participants.worker`` / ``.customer`` (call SIDs).
3. When the worker's leg ends, the task moves to ``wrapping`` and ``PostWorkActivitySid``
   applies; the app then completes the task. A worker who does not answer: the reservation
   becomes ``taskrouter_worker_no_answer`` (default rejected) and the task is offered on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..engine.conference.joining import create_participant
from ..engine.conference.leg import ParticipantLeg
from ..engine.conference.lookups import participant_for_call
from ..engine.voice.leg import redirect as redirect_call
from ..store.models import Account, Call
from .common import bool_param, existing, int_param, invalid, set_data
from .models import Reservation, Task, Workspace
from .reservations import accept, customer_call, finish_reservation, post_work, reject, requeue, time_out, worker_contact
from .tasks import attributes, set_attributes, wrap

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

PURPOSE = "taskrouter-worker"
_CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
_CONF_EVENTS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker",
                "announcement")


def _events(value: object, allowed: Iterable[str], name: str) -> list[str] | None:
    if value is None or value == "":
        return None
    items = value if isinstance(value, list) else [value]
    out = [e for v in items for e in str(v).replace(",", " ").split()]
    bad = [e for e in out if e not in allowed]
    if bad:
        raise invalid(f"{name} has an invalid event: {bad[0]!r}")
    return out


def _conference_record(value: object) -> object:
    """ConferenceRecord: true/false or the <Conference record> words."""
    if value in (None, ""):
        return None
    word = {"true": "record-from-start", "false": "do-not-record"}.get(str(value).lower(), value)
    if word not in ("record-from-start", "do-not-record"):
        raise invalid("ConferenceRecord must be true, false, record-from-start or do-not-record")
    return word


def _one(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def conference(eng: Engine, ws: Workspace, res: Reservation, opts: Mapping[str, Any]) -> None:
    opts = {k: (v if k.endswith("_event") else _one(v)) for k, v in opts.items()}
    task = existing(eng, Task, res.task_sid)
    customer = customer_call(eng, ws, task)
    to = worker_contact(eng, res, opts)
    record = bool_param(opts.get("record"), "Record", False)
    p = {
        "from_": opts.get("from") or customer.to, "to": to,
        "timeout": int_param(opts.get("timeout"), "Timeout", 60, 5, 600),
        "status_callback": opts.get("status_callback"),
        "status_callback_method": opts.get("status_callback_method") or "POST",
        "status_callback_event": _events(opts.get("status_callback_event"), _CALL_EVENTS,
                                         "StatusCallbackEvent"),
        "early_media": bool_param(opts.get("early_media"), "EarlyMedia", True),
        "end_conference_on_exit": bool_param(opts.get("end_conference_on_exit"),
                                             "EndConferenceOnExit", False),
        "start_conference_on_enter": bool_param(opts.get("start_conference_on_enter"),
                                                "StartConferenceOnEnter", True),
        "muted": bool_param(opts.get("muted"), "Muted", False),
        "beep": opts.get("beep") or "true",
        "record": record,
        "wait_url": opts.get("wait_url"), "wait_method": opts.get("wait_method"),
        "conference_settings": {
            "status_callback": opts.get("conference_status_callback"),
            "status_callback_method": opts.get("conference_status_callback_method"),
            "status_callback_events": _events(opts.get("conference_status_callback_event"),
                                              _CONF_EVENTS, "ConferenceStatusCallbackEvent"),
            "record": _conference_record(opts.get("conference_record")),
            "trim": opts.get("conference_trim"),
            "recording_status_callback": opts.get("conference_recording_status_callback"),
            "max_participants": opts.get("max_participants"),
            "region": opts.get("region"),
        },
    }
    if p["beep"] not in ("true", "false", "onEnter", "onExit"):
        raise invalid("Beep must be true, false, onEnter or onExit")
    customer_side = dict(  # checked before anything is dialled
        customer_end_on_exit=bool_param(opts.get("end_conference_on_customer_exit"),
                                        "EndConferenceOnCustomerExit", False),
        customer_beep=bool_param(opts.get("beep_on_customer_entrance"),
                                 "BeepOnCustomerEntrance", True))
    account = eng.db.get(Account, ws.account_sid)
    part = create_participant(eng, account, task.sid, p,
                                          f"Reservation {res.sid} conference")
    leg = eng.db.get(Call, part.call_sid)
    assert leg is not None  # just dialled
    leg.options = {**leg.options, "purpose": PURPOSE, "tr_reservation": res.sid,
                   "tr_workspace": ws.sid}
    set_data(res, worker_call_sid=leg.sid, customer_call_sid=customer.sid,
             conference_sid=part.conference_sid,
             post_work_activity_sid=opts.get("post_work_activity_sid"), **customer_side)


def _context(eng: Engine, call: Call) -> tuple[Reservation, Workspace] | tuple[None, None]:
    res = eng.db.get(Reservation, (call.options or {}).get("tr_reservation") or "")
    ws = eng.db.get(Workspace, (call.options or {}).get("tr_workspace") or "")
    return (res, ws) if res is not None and ws is not None else (None, None)


def _worker_answered(eng: Engine, call: Call) -> None:
    res, ws = _context(eng, call)
    if res is None or ws is None or res.reservation_status != "pending":
        return
    task = existing(eng, Task, res.task_sid)
    customer = eng.db.get(Call, res.data.get("customer_call_sid") or "")
    part = participant_for_call(eng, call.sid)
    if customer is None or customer.status != "in-progress" or part is None:
        return
    accept(eng, ws, res)
    attrs = attributes(task)
    attrs["conference"] = {"room_name": task.sid, "sid": part.conference_sid,
                           "participants": {"worker": call.sid, "customer": customer.sid}}
    set_attributes(eng, task, attrs)
    end = "true" if res.data.get("customer_end_on_exit") else "false"
    beep = "true" if res.data.get("customer_beep", True) else "false"
    # xml.sax (and the urllib.request it imports) only when a worker is bridged: half a
    # megabyte of a served process's idle memory otherwise.
    from xml.sax.saxutils import escape

    redirect_call(eng, customer, twiml=(
        f'<Response><Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="{end}"'
        f' beep="{beep}">{escape(task.sid)}</Conference></Dial></Response>'))


def _worker_gone(eng: Engine, call: Call, answered: bool) -> None:
    res, ws = _context(eng, call)
    if res is None or ws is None:
        return
    if res.reservation_status == "pending" and not answered:
        outcome = eng.config.taskrouter_worker_no_answer
        if outcome == "timeout":
            time_out(eng, ws, res)
        elif outcome == "canceled":
            finish_reservation(eng, ws, res, "canceled", "reservation.canceled")
            requeue(eng, ws, res)
        else:
            reject(eng, ws, res)
        return
    if res.reservation_status == "accepted":
        task = existing(eng, Task, res.task_sid)
        wrap(eng, ws, task)
        post_work(eng, ws, res)


class WorkerLeg(ParticipantLeg):
    """A worker's conference leg: a participant leg that also drives its reservation."""

    def on_answer(self, eng: Engine, call: Call) -> None:
        super().on_answer(eng, call)
        _worker_answered(eng, call)

    def on_failed(self, eng: Engine, call: Call) -> None:
        super().on_failed(eng, call)
        _worker_gone(eng, call, answered=False)

    def on_hangup(self, eng: Engine, call: Call, by: str) -> None:
        super().on_hangup(eng, call, by)
        _worker_gone(eng, call, answered=True)


SUPERVISOR_MODES = ("monitor", "whisper", "barge")


def supervise(eng: Engine, ws: Workspace, res: Reservation, opts: Mapping[str, Any]) -> None:
    """``Instruction=supervise`` on an accepted conference reservation: dial ``Supervisor``
    into the task's conference, muted (``monitor``), coaching the worker (``whisper``) or
    heard by all (``barge``)."""
    opts = {k: _one(v) for k, v in opts.items()}
    conf_sid = (res.data or {}).get("conference_sid")
    if res.reservation_status != "accepted" or not conf_sid:
        raise invalid("supervise needs an accepted reservation of a conference instruction")
    to = opts.get("supervisor")
    if not to:
        raise invalid("Supervisor is required for the supervise instruction")
    mode = opts.get("supervisor_mode") or "monitor"
    if mode not in SUPERVISOR_MODES:
        raise invalid(f"SupervisorMode must be one of {', '.join(SUPERVISOR_MODES)}")
    task = existing(eng, Task, res.task_sid)
    p = {"from_": opts.get("from") or attributes(task).get("to") or to, "to": to,
         "label": "supervisor", "muted": mode == "monitor", "beep": "false",
         "timeout": int_param(opts.get("timeout"), "Timeout", 60, 5, 600)}
    if mode == "whisper":
        p.update(coaching=True, call_sid_to_coach=res.data.get("worker_call_sid"))
    account = eng.db.get(Account, ws.account_sid)
    create_participant(eng, account, conf_sid, p, f"Reservation {res.sid} supervise")
