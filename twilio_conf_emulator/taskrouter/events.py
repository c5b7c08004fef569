"""Workspace events, POSTed to the workspace's EventCallbackUrl (signed, journaled as kind
``taskrouter-event``, at the virtual instant they happen), filtered by ``EventsFilter``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..webhooks.transport import OutboundRequest

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine
    from .models import Reservation, Task, Worker, Workspace

KIND = "taskrouter-event"


def _resource(task: Task | None, worker: Worker | None,
              reservation: Reservation | None) -> tuple[str, str | None]:
    if reservation is not None:
        return "reservation", reservation.sid
    if task is not None:
        return "task", task.sid
    if worker is not None:
        return "worker", worker.sid
    return "workspace", None


def params(eng: Engine, ws: Workspace, event_type: str, task: Task | None = None, worker: Worker | None = None,
           reservation: Reservation | None = None) -> list[tuple[str, str]]:
    from .models import Activity, TaskQueue, Worker, Workflow

    kind, sid = _resource(task, worker, reservation)
    now = eng.now()
    p = [("AccountSid", ws.account_sid), ("WorkspaceSid", ws.sid),
         ("WorkspaceName", ws.friendly_name), ("EventType", event_type),
         ("EventDescription", f"{kind.capitalize()} {sid or ws.sid}: {event_type}"),
         ("ResourceType", kind), ("ResourceSid", sid or ws.sid),
         ("Sid", eng.sids.new("EV")), ("Timestamp", str(int(now))),
         ("TimestampMs", str(int(now * 1000)))]
    if reservation is not None:
        p.append(("ReservationSid", reservation.sid))
        if worker is None:
            worker = eng.db.get(Worker, reservation.worker_sid)
    if task is not None:
        p += [("TaskSid", task.sid), ("TaskAttributes", task.data.get("attributes") or "{}"),
              ("TaskAge", str(int(now - task.date_created))), ("TaskPriority", str(task.priority)),
              ("TaskAssignmentStatus", task.assignment_status),
              ("TaskChannelUniqueName", task.data.get("task_channel") or "default")]
        if task.data.get("reason"):
            p.append(("TaskCanceledReason" if task.assignment_status == "canceled"
                      else "TaskCompletedReason", task.data["reason"]))
        if task.task_queue_sid:
            q = eng.db.get(TaskQueue, task.task_queue_sid)
            p += [("TaskQueueSid", task.task_queue_sid),
                  ("TaskQueueName", q.friendly_name if q else "")]
        if task.workflow_sid:
            wf = eng.db.get(Workflow, task.workflow_sid)
            p += [("WorkflowSid", task.workflow_sid),
                  ("WorkflowName", wf.friendly_name if wf else "")]
    if worker is not None:
        act = eng.db.get(Activity, worker.activity_sid)
        p += [("WorkerSid", worker.sid), ("WorkerName", worker.friendly_name),
              ("WorkerAttributes", worker.data.get("attributes") or "{}"),
              ("WorkerActivitySid", worker.activity_sid),
              ("WorkerActivityName", act.friendly_name if act else "")]
    return p


def send(eng: Engine, ws: Workspace, event_type: str, task: Task | None = None, worker: Worker | None = None,
         reservation: Reservation | None = None) -> None:
    url = (ws.data or {}).get("event_callback_url")
    if not url:
        return
    wanted = (ws.data or {}).get("events_filter")
    if wanted and event_type not in [e.strip() for e in wanted.split(",")]:
        return
    eng.emit_request(OutboundRequest(url=url, method="POST", kind=KIND,
                                     params=params(eng, ws, event_type, task, worker,
                                                   reservation)),
                     account_sid=ws.account_sid,
                     call_sid=_call_sid(task))


def _call_sid(task: Task | None) -> str | None:
    if task is None:
        return None
    try:
        sid = json.loads(task.data.get("attributes") or "{}").get("call_sid")
    except ValueError:
        return None
    return sid if isinstance(sid, str) else None
