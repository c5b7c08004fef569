"""TaskRouter v1 JSON bodies, field for field as Twilio's OpenAPI has them (ISO 8601 dates)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .models import Activity, TaskQueue, Worker, Workflow, Workspace

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import Session

    from .models import Reservation, Task

BASE = "https://taskrouter.twilio.com/v1"


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def ws_url(ws_sid: str, *parts: str) -> str:
    return "/".join([BASE, "Workspaces", ws_sid, *parts])


def _activity_name(db: Session, sid: str | None) -> str | None:
    a = db.get(Activity, sid) if sid else None
    return a.friendly_name if a else None


def workspace(db: Session, ws: Workspace) -> dict[str, Any]:
    d = ws.data or {}
    links = {k: ws_url(ws.sid, v) for k, v in (
        ("activities", "Activities"), ("statistics", "Statistics"),
        ("real_time_statistics", "RealTimeStatistics"),
        ("cumulative_statistics", "CumulativeStatistics"), ("task_queues", "TaskQueues"),
        ("tasks", "Tasks"), ("workers", "Workers"), ("workflows", "Workflows"),
        ("task_channels", "TaskChannels"), ("events", "Events"))}
    return {
        "account_sid": ws.account_sid, "date_created": iso(ws.date_created),
        "date_updated": iso(ws.date_updated),
        "default_activity_name": _activity_name(db, d.get("default_activity_sid")),
        "default_activity_sid": d.get("default_activity_sid"),
        "event_callback_url": d.get("event_callback_url"),
        "events_filter": d.get("events_filter"), "friendly_name": ws.friendly_name,
        "multi_task_enabled": d.get("multi_task_enabled", True), "sid": ws.sid,
        "timeout_activity_name": _activity_name(db, d.get("timeout_activity_sid")),
        "timeout_activity_sid": d.get("timeout_activity_sid"),
        "prioritize_queue_order": d.get("prioritize_queue_order", "FIFO"),
        "url": ws_url(ws.sid), "links": links,
    }


def activity(db: Session, a: Activity) -> dict[str, Any]:
    return {"account_sid": a.account_sid, "available": a.available,
            "date_created": iso(a.date_created), "date_updated": iso(a.date_updated),
            "friendly_name": a.friendly_name, "sid": a.sid, "workspace_sid": a.workspace_sid,
            "url": ws_url(a.workspace_sid, "Activities", a.sid),
            "links": {"workspace": ws_url(a.workspace_sid)}}


def task_queue(db: Session, q: TaskQueue) -> dict[str, Any]:
    d = q.data or {}
    url = ws_url(q.workspace_sid, "TaskQueues", q.sid)
    return {
        "account_sid": q.account_sid,
        "assignment_activity_sid": d.get("assignment_activity_sid"),
        "assignment_activity_name": _activity_name(db, d.get("assignment_activity_sid")),
        "date_created": iso(q.date_created), "date_updated": iso(q.date_updated),
        "friendly_name": q.friendly_name,
        "max_reserved_workers": d.get("max_reserved_workers", 1),
        "reservation_activity_sid": d.get("reservation_activity_sid"),
        "reservation_activity_name": _activity_name(db, d.get("reservation_activity_sid")),
        "sid": q.sid, "target_workers": d.get("target_workers"),
        "task_order": d.get("task_order", "FIFO"), "url": url, "workspace_sid": q.workspace_sid,
        "links": {"assignment_activity": None, "reservation_activity": None,
                  "workspace": ws_url(q.workspace_sid),
                  "statistics": url + "/Statistics",
                  "real_time_statistics": url + "/RealTimeStatistics",
                  "cumulative_statistics": url + "/CumulativeStatistics",
                  "list_statistics": ws_url(q.workspace_sid, "TaskQueues", "Statistics")},
    }


def workflow(db: Session, wf: Workflow) -> dict[str, Any]:
    d = wf.data or {}
    url = ws_url(wf.workspace_sid, "Workflows", wf.sid)
    return {
        "account_sid": wf.account_sid,
        "assignment_callback_url": d.get("assignment_callback_url"),
        "configuration": d.get("configuration"),
        "date_created": iso(wf.date_created), "date_updated": iso(wf.date_updated),
        "document_content_type": "application/json",
        "fallback_assignment_callback_url": d.get("fallback_assignment_callback_url"),
        "friendly_name": wf.friendly_name, "sid": wf.sid,
        "task_reservation_timeout": d.get("task_reservation_timeout", 120),
        "workspace_sid": wf.workspace_sid, "url": url,
        "links": {"statistics": url + "/Statistics",
                  "real_time_statistics": url + "/RealTimeStatistics",
                  "cumulative_statistics": url + "/CumulativeStatistics"},
    }


def worker(db: Session, w: Worker) -> dict[str, Any]:
    url = ws_url(w.workspace_sid, "Workers", w.sid)
    return {
        "account_sid": w.account_sid, "activity_name": _activity_name(db, w.activity_sid),
        "activity_sid": w.activity_sid, "attributes": (w.data or {}).get("attributes", "{}"),
        "available": w.available, "date_created": iso(w.date_created),
        "date_status_changed": iso(w.date_status_changed), "date_updated": iso(w.date_updated),
        "friendly_name": w.friendly_name, "sid": w.sid, "workspace_sid": w.workspace_sid,
        "url": url,
        "links": {"channels": url + "/Channels", "reservations": url + "/Reservations",
                  "activity": ws_url(w.workspace_sid, "Activities", w.activity_sid),
                  "workspace": ws_url(w.workspace_sid)},
    }


def task(db: Session, t: Task, now: float) -> dict[str, Any]:
    d = t.data or {}
    q = db.get(TaskQueue, t.task_queue_sid) if t.task_queue_sid else None
    wf = db.get(Workflow, t.workflow_sid) if t.workflow_sid else None
    ws = db.get(Workspace, t.workspace_sid)
    channels = (ws.data or {}).get("task_channels") or {} if ws else {}
    channel = d.get("task_channel") or "default"
    url = ws_url(t.workspace_sid, "Tasks", t.sid)
    return {
        "account_sid": t.account_sid, "age": int(now - t.date_created),
        "assignment_status": t.assignment_status, "attributes": d.get("attributes", "{}"),
        "addons": "{}", "date_created": iso(t.date_created), "date_updated": iso(t.date_updated),
        "task_queue_entered_date": iso(d.get("task_queue_entered_date")),
        "priority": t.priority, "reason": d.get("reason"), "sid": t.sid,
        "task_queue_sid": t.task_queue_sid,
        "task_queue_friendly_name": q.friendly_name if q else None,
        "task_channel_sid": channels.get(channel), "task_channel_unique_name": channel,
        "timeout": d.get("timeout", 86400), "workflow_sid": t.workflow_sid,
        "workflow_friendly_name": wf.friendly_name if wf else None,
        "workspace_sid": t.workspace_sid, "url": url,
        "links": {"task_queue": ws_url(t.workspace_sid, "TaskQueues", t.task_queue_sid)
                  if t.task_queue_sid else None,
                  "workflow": ws_url(t.workspace_sid, "Workflows", t.workflow_sid)
                  if t.workflow_sid else None,
                  "workspace": ws_url(t.workspace_sid), "reservations": url + "/Reservations"},
        "virtual_start_time": iso(t.date_created), "ignore_capacity": False,
        "routing_target": None,
    }


def reservation(db: Session, r: Reservation, by_worker: bool = False) -> dict[str, Any]:
    """A Task Reservation, or (``by_worker``) the same one seen from its Worker."""
    w = db.get(Worker, r.worker_sid)
    url = (ws_url(r.workspace_sid, "Workers", r.worker_sid, "Reservations", r.sid) if by_worker
           else ws_url(r.workspace_sid, "Tasks", r.task_sid, "Reservations", r.sid))
    return {
        "account_sid": r.account_sid, "date_created": iso(r.date_created),
        "date_updated": iso(r.date_updated), "reservation_status": r.reservation_status,
        "sid": r.sid, "task_sid": r.task_sid,
        "worker_name": w.friendly_name if w else r.friendly_name, "worker_sid": r.worker_sid,
        "workspace_sid": r.workspace_sid,
        "url": url,
        "links": {"task": ws_url(r.workspace_sid, "Tasks", r.task_sid),
                  "worker": ws_url(r.workspace_sid, "Workers", r.worker_sid),
                  "workspace": ws_url(r.workspace_sid)},
    }
