"""Tasks: creation (routed by their Workflow), updates of status and attributes, deletion."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine.actions import stored
from . import events, hooks
from .common import (
    TASK_TIMEOUT_DEFAULT,
    TASK_TIMEOUT_MAX,
    Conflict,
    Form,
    attrs,
    get,
    int_param,
    invalid,
    json_attributes,
    listing,
    new_row,
    set_data,
    touch,
)
from .models import Task, TaskQueue, Workflow, Workspace
from .reservations import finish_reservation, of_task

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

PRIORITY_MAX = 2 ** 31 - 1
ACTIVE = ("pending", "reserved")


def attributes(task: Task) -> dict[str, Any]:
    return attrs(task)


def set_attributes(eng: Engine, task: Task, attrs: Mapping[str, Any]) -> None:
    set_data(task, attributes=json.dumps(attrs, separators=(", ", ": ")))
    touch(eng, task)


def create_task(eng: Engine, ws: Workspace, p: Form) -> Task:
    attrs = json_attributes(p.get("Attributes"))
    wf_sid = p.get("WorkflowSid")
    queue_sid = p.get("TaskQueueSid")
    if not wf_sid and not queue_sid:
        flows = listing(eng, Workflow, ws.account_sid, ws.sid)
        if len(flows) != 1:
            raise invalid("WorkflowSid is required when the Workspace has no single Workflow")
        wf_sid = flows[0].sid
    wf = get(eng, Workflow, ws.account_sid, wf_sid, f"Workflow {wf_sid}", ws.sid) if wf_sid \
        else None
    if queue_sid:
        get(eng, TaskQueue, ws.account_sid, queue_sid, f"TaskQueue {queue_sid}", ws.sid)
    channel = p.get("TaskChannel") or "default"
    channels = ws.data.get("task_channels") or {}
    if channel not in channels and channel not in channels.values():
        raise invalid(f"TaskChannel {channel!r} does not exist in the Workspace")
    timeout = int_param(p.get("Timeout"), "Timeout", TASK_TIMEOUT_DEFAULT, 1, TASK_TIMEOUT_MAX)
    task = new_row(eng, Task, "WT", ws.account_sid, workspace_sid=ws.sid,
                workflow_sid=wf.sid if wf else None, task_queue_sid=queue_sid,
                priority=int_param(p.get("Priority"), "Priority", 0, 0, PRIORITY_MAX),
                assignment_status="pending",
                data={"attributes": attrs, "timeout": timeout, "reason": None,
                      "task_channel": next((k for k, v in channels.items() if channel in (k, v)),
                                           "default"),
                      "rejected_workers": []})
    events.send(eng, ws, "task.created", task=task)
    hooks.call("route", eng, ws, task)
    sid = task.sid
    eng.after(timeout, stored(eng, "taskrouter.task-ttl", ws_sid=ws.sid, task_sid=sid),
              f"task TTL {sid}")
    return task


def _ttl(eng: Engine, ws_sid: str, task_sid: str) -> None:
    """Stored action: the task's Timeout passed."""
    task = eng.db.get(Task, task_sid)
    ws = eng.db.get(Workspace, ws_sid)
    if task is None or ws is None or task.assignment_status not in ACTIVE:
        return
    cancel(eng, ws, task, "Task TTL Exceeded", event="task.timeout")


def cancel(eng: Engine, ws: Workspace, task: Task, reason: str | None, event: str = "task.canceled") -> None:
    """Cancel a pending or reserved task; its pending reservation is canceled too."""
    for r in of_task(eng, ws, task):
        if r.reservation_status == "pending":
            finish_reservation(eng, ws, r, "canceled", "reservation.canceled")
    task.assignment_status = "canceled"
    set_data(task, reason=reason)
    touch(eng, task)
    events.send(eng, ws, event, task=task)
    if event != "task.canceled":
        events.send(eng, ws, "task.canceled", task=task)


def update_task(eng: Engine, ws: Workspace, task: Task, p: Form) -> None:
    if p.get("Attributes") is not None:
        set_data(task, attributes=json_attributes(p["Attributes"]))
        events.send(eng, ws, "task.updated", task=task)
    if p.get("Priority") is not None:
        task.priority = int_param(p["Priority"], "Priority", 0, 0, PRIORITY_MAX)
    status = p.get("AssignmentStatus")
    if status:
        reason = p.get("Reason")
        if reason is not None and len(reason) > 1024:
            raise invalid("Reason must be at most 1024 characters")
        current = task.assignment_status
        if status == "canceled" and current in ACTIVE:
            cancel(eng, ws, task, reason)
        elif status == "wrapping" and current == "assigned":
            wrap(eng, ws, task, reason)
        elif status == "completed" and current in ("assigned", "wrapping"):
            complete(eng, ws, task, reason)
        elif status not in ("pending", "reserved", "assigned", "canceled", "wrapping",
                            "completed"):
            raise invalid(f"AssignmentStatus {status!r} is not valid")
        else:
            raise Conflict(f"Task {task.sid} cannot move from {current} to {status}",
                           code=20001)
    touch(eng, task)
    if task.assignment_status == "pending":
        hooks.offer(eng, ws.sid)


def wrap(eng: Engine, ws: Workspace, task: Task, reason: str | None = None) -> None:
    if task.assignment_status != "assigned":
        return
    task.assignment_status = "wrapping"
    if reason:
        set_data(task, reason=reason)
    touch(eng, task)
    for r in of_task(eng, ws, task):
        if r.reservation_status == "accepted":
            finish_reservation(eng, ws, r, "wrapping", "reservation.wrapup")
    events.send(eng, ws, "task.wrapup", task=task)


def complete(eng: Engine, ws: Workspace, task: Task, reason: str | None = None) -> None:
    task.assignment_status = "completed"
    if reason:
        set_data(task, reason=reason)
    touch(eng, task)
    for r in of_task(eng, ws, task):
        if r.reservation_status in ("accepted", "wrapping"):
            finish_reservation(eng, ws, r, "completed", "reservation.completed")
    events.send(eng, ws, "task.completed", task=task)


def delete_task(eng: Engine, ws: Workspace, task: Task) -> None:
    for r in of_task(eng, ws, task):
        if r.reservation_status == "pending":
            finish_reservation(eng, ws, r, "canceled", "reservation.canceled")
        eng.db.delete(r)
    events.send(eng, ws, "task.deleted", task=task)
    eng.db.delete(task)
