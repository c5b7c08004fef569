"""A reservation's life: pending -> accepted / rejected / timeout / canceled, then wrapping
and completed with its task; and who it connects (the task's caller, the worker's phone)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine import calls as call_legs
from ..store.models import Call
from . import events, hooks
from .common import attrs, existing, invalid, listing, set_activity, set_data, touch
from .models import Reservation, Task, TaskQueue, Worker, Workspace

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine


def of_task(eng: Engine, ws: Workspace, task: Task) -> list[Reservation]:
    return [r for r in listing(eng, Reservation, ws.account_sid, ws.sid)
            if r.task_sid == task.sid]


def finish_reservation(eng: Engine, ws: Workspace, res: Reservation, status: str, event: str) -> None:
    res.reservation_status = status
    touch(eng, res)
    if status in ("wrapping", "completed"):
        # Longest idle counts from the end of the worker's last task.
        worker = eng.db.get(Worker, res.worker_sid)
        if worker is not None:
            worker.idle_since = eng.now()
    task = eng.db.get(Task, res.task_sid)
    events.send(eng, ws, event, task=task, reservation=res)


def accept(eng: Engine, ws: Workspace, res: Reservation) -> None:
    task = existing(eng, Task, res.task_sid)
    res.reservation_status = "accepted"
    touch(eng, res)
    task.assignment_status = "assigned"
    touch(eng, task)
    queue = eng.db.get(TaskQueue, task.task_queue_sid) if task.task_queue_sid else None
    worker = eng.db.get(Worker, res.worker_sid)
    if queue is not None and queue.data.get("assignment_activity_sid") and worker is not None:
        set_activity(eng, ws, worker, queue.data["assignment_activity_sid"])
    events.send(eng, ws, "reservation.accepted", task=task, reservation=res)
    for other in of_task(eng, ws, task):  # MaxReservedWorkers > 1: the others lose it
        if other.sid != res.sid and other.reservation_status == "pending":
            finish_reservation(eng, ws, other, "rescinded", "reservation.rescinded")
            leg = (other.data or {}).get("worker_call_sid")
            if leg:  # a conference instruction still ringing that worker
                call_legs.hangup(eng, leg, by="api")


def reject(eng: Engine, ws: Workspace, res: Reservation, activity_sid: str | None = None) -> None:
    task = existing(eng, Task, res.task_sid)
    finish_reservation(eng, ws, res, "rejected", "reservation.rejected")
    # TaskRouter does not offer the same task to a worker who rejected it.
    set_data(task, rejected_workers=sorted(set(task.data.get("rejected_workers") or [])
                                           | {res.worker_sid}))
    worker = eng.db.get(Worker, res.worker_sid)
    if activity_sid and worker is not None:
        set_activity(eng, ws, worker, activity_sid)
    requeue(eng, ws, res)


def time_out(eng: Engine, ws: Workspace, res: Reservation) -> None:
    """The reservation timed out: the worker moves to the TimeoutActivity, the task on."""
    finish_reservation(eng, ws, res, "timeout", "reservation.timeout")
    worker = eng.db.get(Worker, res.worker_sid)
    if worker is not None and ws.data.get("timeout_activity_sid"):
        set_activity(eng, ws, worker, ws.data["timeout_activity_sid"])
    requeue(eng, ws, res)


def requeue(eng: Engine, ws: Workspace, res: Reservation) -> None:
    """The reservation ended without the task: it is pending again once no other
    reservation of it is still pending."""
    task = eng.db.get(Task, res.task_sid)
    if task is not None and task.assignment_status == "reserved" and not any(
            r.reservation_status == "pending" for r in of_task(eng, ws, task)):
        task.assignment_status = "pending"
        touch(eng, task)
        hooks.offer(eng, ws.sid)


def post_work(eng: Engine, ws: Workspace, res: Reservation) -> None:
    """After the worker's part of the task: the PostWorkActivitySid, if one was given."""
    sid = (res.data or {}).get("post_work_activity_sid")
    worker = eng.db.get(Worker, res.worker_sid)
    if sid and worker is not None:
        set_activity(eng, ws, worker, sid)


def customer_call(eng: Engine, ws: Workspace, task: Task) -> Call:
    """The task's caller (``call_sid`` attribute), which must be in progress."""
    sid = attrs(task).get("call_sid")
    call = eng.db.get(Call, sid) if isinstance(sid, str) else None
    if call is None or call.account_sid != ws.account_sid or call.status != "in-progress":
        raise invalid(f"The Task's call_sid {sid!r} is not a call in progress")
    return call


def worker_contact(eng: Engine, res: Reservation, opts: Mapping[str, Any], key: str = "to") -> str:
    """Where to reach the worker: the instruction's ``key``, else its ``contact_uri``."""
    worker = existing(eng, Worker, res.worker_sid)
    to = opts.get(key) or attrs(worker).get("contact_uri")
    if not to:
        raise invalid("No To given and the Worker has no contact_uri attribute")
    return to
