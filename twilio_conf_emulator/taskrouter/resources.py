"""TaskRouter resources: the rules of creating, changing and deleting them (no Flask).

Every function takes the engine (its session, clock and SIDs: one account's world) and the
account SID; every row is keyed by both. Bad input raises Twilio's errors: 20001 for an
invalid parameter, 20404 for an unknown resource, 20409 (HTTP 409) for a state conflict.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import events, hooks, reservations
from .common import (
    TASK_TIMEOUT_MAX,
    Conflict,
    Form,
    bool_param,
    get,
    int_param,
    invalid,
    json_attributes,
    listing,
    name_param,
    new_row,
    set_activity,
    set_data,
    touch,
)
from .expressions import compile_expression
from .models import Activity, Reservation, Task, TaskQueue, Worker, Workflow, Workspace

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

DEFAULT_ACTIVITIES = (("Offline", False), ("Available", True), ("Unavailable", False))
RESERVATION_TIMEOUT_DEFAULT, RESERVATION_TIMEOUT_MAX = 120, 86400
TASK_ORDERS = ("FIFO", "LIFO")
TASK_CHANNELS = ("default", "voice", "chat", "sms", "video")  # a new workspace's channels


# -- Workspaces ------------------------------------------------------------------------------------
def create_workspace(eng: Engine, account_sid: str, p: Form) -> Workspace:
    name = name_param(p.get("FriendlyName"))
    order = p.get("PrioritizeQueueOrder") or "FIFO"
    if order not in TASK_ORDERS:
        raise invalid("PrioritizeQueueOrder must be FIFO or LIFO")
    if p.get("Template") not in (None, "", "NONE", "FIFO"):
        raise invalid("Template must be NONE or FIFO")
    if any(w.friendly_name == name for w in listing(eng, Workspace, account_sid)):
        raise Conflict(f"Workspace with FriendlyName {name!r} already exists", code=20001)
    ws = new_row(eng, Workspace, "WS", account_sid, friendly_name=name, data={
        "event_callback_url": p.get("EventCallbackUrl") or None,
        "events_filter": p.get("EventsFilter") or None,
        "multi_task_enabled": bool_param(p.get("MultiTaskEnabled"), "MultiTaskEnabled", True),
        "prioritize_queue_order": order,
    })
    acts = [new_row(eng, Activity, "WA", account_sid, workspace_sid=ws.sid, friendly_name=n,
                 available=a) for n, a in DEFAULT_ACTIVITIES]
    set_data(ws, default_activity_sid=acts[0].sid, timeout_activity_sid=acts[0].sid,
             task_channels={name: eng.sids.new("TC") for name in TASK_CHANNELS})
    return ws


def update_workspace(eng: Engine, ws: Workspace, p: Form) -> None:
    if p.get("FriendlyName") is not None:
        ws.friendly_name = name_param(p["FriendlyName"])
    for key, field in (("EventCallbackUrl", "event_callback_url"),
                       ("EventsFilter", "events_filter")):
        if p.get(key) is not None:
            set_data(ws, **{field: p[key] or None})
    for key, field in (("DefaultActivitySid", "default_activity_sid"),
                       ("TimeoutActivitySid", "timeout_activity_sid")):
        if p.get(key):
            get(eng, Activity, ws.account_sid, p[key], f"Activity {p[key]}", ws.sid)
            set_data(ws, **{field: p[key]})
    if p.get("MultiTaskEnabled") is not None:
        set_data(ws, multi_task_enabled=bool_param(p["MultiTaskEnabled"], "MultiTaskEnabled"))
    if p.get("PrioritizeQueueOrder") is not None:
        if p["PrioritizeQueueOrder"] not in TASK_ORDERS:
            raise invalid("PrioritizeQueueOrder must be FIFO or LIFO")
        set_data(ws, prioritize_queue_order=p["PrioritizeQueueOrder"])
    touch(eng, ws)


def delete_workspace(eng: Engine, ws: Workspace) -> None:
    for cls in (Reservation, Task, Worker, Workflow, TaskQueue, Activity):
        for row in listing(eng, cls, ws.account_sid, ws.sid):
            eng.db.delete(row)
    eng.db.delete(ws)


# -- Activities ------------------------------------------------------------------------------------
def create_activity(eng: Engine, ws: Workspace, p: Form) -> Activity:
    name = name_param(p.get("FriendlyName"))
    if any(a.friendly_name == name for a in listing(eng, Activity, ws.account_sid, ws.sid)):
        raise Conflict(f"Activity with FriendlyName {name!r} already exists", code=20001)
    return new_row(eng, Activity, "WA", ws.account_sid, workspace_sid=ws.sid, friendly_name=name,
                available=bool_param(p.get("Available"), "Available", True))


def delete_activity(eng: Engine, ws: Workspace, act: Activity) -> None:
    if act.sid in (ws.data.get("default_activity_sid"), ws.data.get("timeout_activity_sid")):
        raise invalid("Cannot delete the workspace's default or timeout Activity")
    if any(w.activity_sid == act.sid for w in listing(eng, Worker, ws.account_sid, ws.sid)):
        raise invalid("Cannot delete an Activity that Workers are in")
    eng.db.delete(act)


# -- TaskQueues ----------------------------------------------------------------------------------
def _queue_fields(eng: Engine, ws: Workspace, q: TaskQueue, p: Form) -> None:
    if p.get("FriendlyName") is not None:
        q.friendly_name = name_param(p["FriendlyName"])
    if p.get("TargetWorkers") is not None:
        compile_expression(p["TargetWorkers"])
        set_data(q, target_workers=p["TargetWorkers"])
    if p.get("TaskOrder") is not None:
        if p["TaskOrder"] not in TASK_ORDERS:
            raise invalid("TaskOrder must be FIFO or LIFO")
        set_data(q, task_order=p["TaskOrder"])
    if p.get("MaxReservedWorkers") is not None:
        set_data(q, max_reserved_workers=int_param(p["MaxReservedWorkers"],
                                                   "MaxReservedWorkers", 1, 1, 50))
    for key, field in (("ReservationActivitySid", "reservation_activity_sid"),
                       ("AssignmentActivitySid", "assignment_activity_sid")):
        if p.get(key):
            get(eng, Activity, ws.account_sid, p[key], f"Activity {p[key]}", ws.sid)
            set_data(q, **{field: p[key]})


def create_task_queue(eng: Engine, ws: Workspace, p: Form) -> TaskQueue:
    name = name_param(p.get("FriendlyName"))
    q = new_row(eng, TaskQueue, "WQ", ws.account_sid, workspace_sid=ws.sid, friendly_name=name,
             data={"target_workers": "1==1", "task_order": "FIFO", "max_reserved_workers": 1})
    _queue_fields(eng, ws, q, p)
    return q


def update_task_queue(eng: Engine, ws: Workspace, q: TaskQueue, p: Form) -> None:
    _queue_fields(eng, ws, q, p)
    touch(eng, q)


# -- Workflows -------------------------------------------------------------------------------------
def parse_configuration(eng: Engine, ws: Workspace, text: str | None) -> str:
    """Workflow Configuration: {"task_routing": {"filters": [{"filter_friendly_name",
    "expression", "targets": [{"queue", "expression", "priority", "timeout"}]}],
    "default_filter": {"queue"}}}; every queue must exist, every expression parse."""
    if text is None or text == "":
        raise invalid("Missing required parameter Configuration in the post body")
    try:
        cfg = json.loads(text)
        routing = cfg["task_routing"]
        filters = routing.get("filters") or []
        assert isinstance(filters, list)
    except (ValueError, KeyError, TypeError, AttributeError, AssertionError):
        raise invalid("Configuration must be JSON with a task_routing object") from None

    def queue(ref: object) -> None:
        if not isinstance(ref, dict) or not ref.get("queue"):
            raise invalid("Every target and the default_filter need a queue")
        get(eng, TaskQueue, ws.account_sid, ref["queue"], f"TaskQueue {ref['queue']}", ws.sid)

    for f in filters:
        if not isinstance(f, dict) or not isinstance(f.get("targets"), list):
            raise invalid("Every filter needs an expression and a list of targets")
        compile_expression(f.get("expression"))
        for t in f["targets"]:
            queue(t)
            if t.get("expression"):
                compile_expression(t["expression"])
            for key, hi in (("priority", 2 ** 31 - 1), ("timeout", TASK_TIMEOUT_MAX)):
                value = t.get(key)
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                          or not 0 <= value <= hi):
                    raise invalid(f"A target's {key} must be an integer from 0 to {hi}")
    if routing.get("default_filter") is not None:
        queue(routing["default_filter"])
    return text


def _workflow_fields(eng: Engine, ws: Workspace, wf: Workflow, p: Form) -> None:
    if p.get("FriendlyName") is not None:
        wf.friendly_name = name_param(p["FriendlyName"])
    if p.get("Configuration") is not None:
        set_data(wf, configuration=parse_configuration(eng, ws, p["Configuration"]))
    for key, field in (("AssignmentCallbackUrl", "assignment_callback_url"),
                       ("FallbackAssignmentCallbackUrl", "fallback_assignment_callback_url")):
        if p.get(key) is not None:
            set_data(wf, **{field: p[key] or None})
    if p.get("TaskReservationTimeout") is not None:
        set_data(wf, task_reservation_timeout=int_param(
            p["TaskReservationTimeout"], "TaskReservationTimeout", RESERVATION_TIMEOUT_DEFAULT,
            1, RESERVATION_TIMEOUT_MAX))


def create_workflow(eng: Engine, ws: Workspace, p: Form) -> Workflow:
    name = name_param(p.get("FriendlyName"))
    parse_configuration(eng, ws, p.get("Configuration"))
    wf = new_row(eng, Workflow, "WW", ws.account_sid, workspace_sid=ws.sid, friendly_name=name,
              data={"task_reservation_timeout": RESERVATION_TIMEOUT_DEFAULT})
    _workflow_fields(eng, ws, wf, p)
    return wf


def update_workflow(eng: Engine, ws: Workspace, wf: Workflow, p: Form) -> None:
    _workflow_fields(eng, ws, wf, p)
    touch(eng, wf)


# -- Workers ---------------------------------------------------------------------------------------
def create_worker(eng: Engine, ws: Workspace, p: Form) -> Worker:
    name = name_param(p.get("FriendlyName"))
    if any(w.friendly_name == name for w in listing(eng, Worker, ws.account_sid, ws.sid)):
        raise Conflict(f"Worker with FriendlyName {name!r} already exists", code=20001)
    attrs = json_attributes(p.get("Attributes"))
    act_sid = p.get("ActivitySid") or ws.data["default_activity_sid"]
    act = get(eng, Activity, ws.account_sid, act_sid, f"Activity {act_sid}", ws.sid)
    now = eng.now()
    w = new_row(eng, Worker, "WK", ws.account_sid, workspace_sid=ws.sid, friendly_name=name,
             activity_sid=act.sid, available=act.available, date_status_changed=now,
             idle_since=now, data={"attributes": attrs})
    events.send(eng, ws, "worker.created", worker=w)
    if act.available:
        hooks.offer(eng, ws.sid)
    return w


def update_worker(eng: Engine, ws: Workspace, worker: Worker, p: Form) -> None:
    if p.get("FriendlyName") is not None:
        worker.friendly_name = name_param(p["FriendlyName"])
    if p.get("Attributes") is not None:
        set_data(worker, attributes=json_attributes(p["Attributes"]))
        events.send(eng, ws, "worker.attributes.update", worker=worker)
    if p.get("ActivitySid"):
        if bool_param(p.get("RejectPendingReservations"), "RejectPendingReservations"):
            for r in listing(eng, Reservation, ws.account_sid, ws.sid):
                if r.worker_sid == worker.sid and r.reservation_status == "pending":
                    reservations.reject(eng, ws, r)
        set_activity(eng, ws, worker, p["ActivitySid"])
    touch(eng, worker)


def delete_worker(eng: Engine, ws: Workspace, worker: Worker) -> None:
    live = [r for r in listing(eng, Reservation, ws.account_sid, ws.sid)
            if r.worker_sid == worker.sid and r.reservation_status in ("pending", "accepted")]
    if live:
        raise invalid("Cannot delete a Worker with pending or accepted reservations")
    events.send(eng, ws, "worker.deleted", worker=worker)
    eng.db.delete(worker)


def update_activity_name(eng: Engine, act: Activity, p: Form) -> None:
    if p.get("FriendlyName") is not None:
        act.friendly_name = name_param(p["FriendlyName"])
    touch(eng, act)


def _active_tasks(eng: Engine, ws: Workspace, **match: Any) -> list[Task]:
    return [t for t in listing(eng, Task, ws.account_sid, ws.sid)
            if t.assignment_status in ("pending", "reserved", "assigned", "wrapping")
            and all(getattr(t, k) == v for k, v in match.items())]


def delete_task_queue(eng: Engine, ws: Workspace, q: TaskQueue) -> None:
    if _active_tasks(eng, ws, task_queue_sid=q.sid):
        raise invalid("Cannot delete a TaskQueue that has active Tasks")
    eng.db.delete(q)


def delete_workflow(eng: Engine, ws: Workspace, wf: Workflow) -> None:
    if _active_tasks(eng, ws, workflow_sid=wf.sid):
        raise invalid("Cannot delete a Workflow that has active Tasks")
    eng.db.delete(wf)
