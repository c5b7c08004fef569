"""Matching: a Task's Workflow picks its TaskQueue, and a pending Task is reserved to the
longest-idle available Worker its queue (and the target's expression) accepts.

Matching runs as a scheduled action ``soon`` after whatever could change its outcome (a task
created or re-queued, a worker becoming available, a reservation ending), so a reservation is
created at the virtual instant it becomes possible and in a fixed order: tasks by priority
(highest first), then by age (the workspace's PrioritizeQueueOrder / the queue's TaskOrder);
workers by idle time (longest first), then by creation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..engine import calls as call_legs
from ..engine.actions import stored
from . import events, hooks
from .common import attrs as _attrs
from .common import listing, new_row, set_activity, set_data, touch
from .expressions import compile_expression, evaluate
from .models import Reservation, Task, TaskQueue, Worker, Workflow, Workspace
from .reservations import time_out

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

BUSY = ("pending", "accepted")


def route(eng: Engine, ws: Workspace, task: Task) -> None:
    """Evaluate the Workflow's filters in order; the first that matches gives the targets."""
    if task.workflow_sid is None:
        _enter(eng, ws, task, [{"queue": task.task_queue_sid}], "")
        return
    wf = eng.db.get(Workflow, task.workflow_sid)
    assert wf is not None  # a workflow with tasks is not deleted
    routing = json.loads(wf.data["configuration"])["task_routing"]
    attrs = _attrs(task)
    for f in routing.get("filters") or []:
        if evaluate(compile_expression(f["expression"]), task=attrs):
            _enter(eng, ws, task, f["targets"], f.get("filter_friendly_name") or "")
            return
    default = routing.get("default_filter")
    if default:
        _enter(eng, ws, task, [default], "Default Filter")


def _enter(eng, ws, task, targets, filter_name):
    set_data(task, targets=targets, target=0, filter_name=filter_name)
    _enter_target(eng, ws, task)


def _enter_target(eng, ws, task):
    t = task.data["targets"][task.data["target"]]
    task.task_queue_sid = t["queue"]
    if t.get("priority") is not None:
        task.priority = int(t["priority"])
    set_data(task, task_queue_entered_date=eng.now())
    touch(eng, task)
    events.send(eng, ws, "task-queue.entered", task=task)
    if t.get("timeout") and task.data["target"] + 1 < len(task.data["targets"]):
        sid, n = task.sid, task.data["target"]
        eng.after(float(t["timeout"]), stored(eng, "taskrouter.target-timeout", ws_sid=ws.sid,
                                              task_sid=sid, n=n),
                  f"workflow target timeout {sid}")
    soon(eng, ws.sid)


def _target_timeout(eng, ws_sid, task_sid, n):
    """The target's timeout passed with the task still pending there: the next target."""
    task = eng.db.get(Task, task_sid)
    ws = eng.db.get(Workspace, ws_sid)
    if task is None or ws is None or task.assignment_status != "pending" \
            or task.data.get("target") != n:
        return
    events.send(eng, ws, "task-queue.timeout", task=task)
    set_data(task, target=n + 1)
    _enter_target(eng, ws, task)


def soon(eng: Engine, ws_sid: str) -> None:
    """Schedule one matching pass for the workspace at the current virtual instant."""
    pending = eng.memory("taskrouter-matching")  # undone with a refused request, reset empties
    if ws_sid in pending:
        return
    pending[ws_sid] = True
    eng.soon(stored(eng, "taskrouter.match", ws_sid=ws_sid), f"TaskRouter matching {ws_sid}")


def _match(eng: Engine, ws_sid: str) -> None:
    """Stored action: the matching pass ``soon`` asked for (after a restart, too)."""
    eng.memory("taskrouter-matching").pop(ws_sid, None)
    dispatch(eng, ws_sid)


def _task_order(ws, tasks):
    lifo = (ws.data or {}).get("prioritize_queue_order") == "LIFO"
    return sorted(tasks, key=lambda t: (-t.priority, -t.seq if lifo else t.seq))


def dispatch(eng: Engine, ws_sid: str) -> None:
    ws = eng.db.get(Workspace, ws_sid)
    if ws is None:
        return
    tasks = [t for t in listing(eng, Task, ws.account_sid, ws.sid)
             if t.assignment_status == "pending" and t.task_queue_sid]
    if not tasks:
        return
    reservations = listing(eng, Reservation, ws.account_sid, ws.sid)
    busy = {r.worker_sid for r in reservations if r.reservation_status in BUSY}
    workers = [w for w in listing(eng, Worker, ws.account_sid, ws.sid) if w.available]
    for task in _task_order(ws, tasks):
        queue = eng.db.get(TaskQueue, task.task_queue_sid)
        if queue is None:
            continue
        target = task.data["targets"][task.data.get("target", 0)] if task.data.get("targets") \
            else {}
        queue_expr = compile_expression(queue.data.get("target_workers") or "1==1")
        target_expr = compile_expression(target["expression"]) if target.get("expression") \
            else None
        tattrs = _attrs(task)
        refused = set(task.data.get("rejected_workers") or [])
        fits = [w for w in workers if w.sid not in busy and w.sid not in refused
                and evaluate(queue_expr, task=tattrs, worker=_attrs(w), side="worker")
                and (target_expr is None
                     or evaluate(target_expr, task=tattrs, worker=_attrs(w), side="worker"))]
        # MaxReservedWorkers: that many of the longest idle are offered the task at once;
        # the first to accept takes it and the others' reservations are rescinded.
        chosen = sorted(fits, key=lambda w: (w.idle_since, w.seq))
        for worker in chosen[:int(queue.data.get("max_reserved_workers") or 1)]:
            busy.add(worker.sid)
            reserve(eng, ws, task, worker, queue)


def reserve(eng: Engine, ws: Workspace, task: Task, worker: Worker, queue: TaskQueue) -> Reservation:
    res = new_row(eng, Reservation, "WR", ws.account_sid, workspace_sid=ws.sid, task_sid=task.sid,
               worker_sid=worker.sid, friendly_name=worker.friendly_name,
               reservation_status="pending", data={})
    task.assignment_status = "reserved"
    touch(eng, task)
    if queue.data.get("reservation_activity_sid"):
        set_activity(eng, ws, worker, queue.data["reservation_activity_sid"])
    events.send(eng, ws, "reservation.created", task=task, reservation=res)
    wf = eng.db.get(Workflow, task.workflow_sid) if task.workflow_sid else None
    timeout = int((wf.data if wf else {}).get("task_reservation_timeout") or 120)
    target = (task.data.get("targets") or [{}])[task.data.get("target", 0)]
    sid = res.sid
    eng.after(float(timeout), stored(eng, "taskrouter.reservation-timeout", ws_sid=ws.sid,
                                     res_sid=sid),
              f"reservation timeout {sid}")
    set_data(res, timeout=timeout, target=target.get("queue"))
    hooks.call("assign", eng, ws, wf, task, res, worker)
    return res


def _reservation_timeout(eng, ws_sid, res_sid):
    res = eng.db.get(Reservation, res_sid)
    ws = eng.db.get(Workspace, ws_sid)
    if res is None or ws is None or res.reservation_status != "pending":
        return
    leg = (res.data or {}).get("worker_call_sid")
    time_out(eng, ws, res)
    if leg:  # a conference instruction still ringing the worker: stop ringing
        call_legs.hangup(eng, leg, by="api")


hooks.register("offer", soon)
hooks.register("route", route)
