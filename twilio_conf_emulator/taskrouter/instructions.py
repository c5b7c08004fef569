"""Reservations: the assignment callback and what it (or a Reservation update) instructs.

``accept`` and ``reject`` change the reservation; ``conference`` dials the worker into a
conference named by the Task SID and moves the caller in when the worker answers (as seed 004
describes); ``dequeue`` bridges the caller to the worker with ``<Dial><Number>``; ``call``
places a Calls API call to the worker; ``redirect`` sends a call to new TwiML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine.voice.calls_api import create_api_call
from ..engine.voice.leg import redirect as redirect_call
from ..errors import BadRequest, NotFound
from ..store.models import Account, Call
from ..webhooks.transport import OutboundRequest
from . import events, hooks, tasks
from .common import Form, bool_param, existing, int_param, invalid, set_activity, set_data
from .conference import conference, supervise
from .models import Reservation, Task, Worker, Workflow, Workspace
from .reservations import accept, customer_call, reject, worker_contact

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine
    from ..webhooks.wire import DeliveryResult

INSTRUCTIONS = ("accept", "reject", "conference", "dequeue", "call", "redirect", "supervise")
REST_STATUSES = ("accepted", "rejected", "wrapping", "completed")
ASSIGNMENT_KIND = "taskrouter-assignment"


def snake(name: str) -> str:
    """``PostWorkActivitySid`` -> ``post_work_activity_sid`` (the callback JSON's spelling)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# -- the assignment callback ---------------------------------------------------------------------
def assignment_params(eng: Engine, ws: Workspace, wf: Workflow, task: Task, res: Reservation,
                      worker: Worker) -> list[tuple[str, str]]:
    return [("AccountSid", ws.account_sid), ("WorkspaceSid", ws.sid),
            ("WorkflowSid", wf.sid), ("TaskQueueSid", task.task_queue_sid or ""),
            ("TaskSid", task.sid), ("ReservationSid", res.sid), ("WorkerSid", worker.sid),
            ("TaskAge", str(int(eng.now() - task.date_created))),
            ("TaskPriority", str(task.priority)),
            ("TaskAttributes", task.data.get("attributes") or "{}"),
            ("WorkerAttributes", worker.data.get("attributes") or "{}")]


def send_assignment(eng: Engine, ws: Workspace, wf: Workflow | None, task: Task, res: Reservation,
                    worker: Worker, fallback: bool = False) -> None:
    if wf is None:
        return
    url = wf.data.get("fallback_assignment_callback_url" if fallback
                      else "assignment_callback_url")
    if not url:
        return
    ws_sid, res_sid = ws.sid, res.sid

    def got(result: DeliveryResult) -> None:
        r = eng.db.get(Reservation, res_sid)
        w = eng.db.get(Workspace, ws_sid)
        if r is None or w is None or r.reservation_status != "pending":
            return
        if result.error_code or not 200 <= (result.status or 0) < 300:
            if not fallback:
                t, wk = existing(eng, Task, r.task_sid), existing(eng, Worker, r.worker_sid)
                send_assignment(eng, w, eng.db.get(Workflow, t.workflow_sid), t, r, wk, True)
            return
        body = (result.body or b"").decode("utf-8", "replace").strip()
        if not body:
            return  # no instruction: the app answers through the REST API
        try:
            answer = json.loads(body)
            assert isinstance(answer, dict)
        except (ValueError, AssertionError):
            eng.alert(w.account_sid, 40001, "Assignment callback answer is not a JSON object",
                      url=url)
            return
        try:
            carry_out(eng, w, r, {snake(k) if k[:1].isupper() else k: v
                                  for k, v in answer.items()})
        except BadRequest as err:
            eng.alert(w.account_sid, err.code, f"Assignment instruction: {err.message}", url=url)

    eng.emit_request(OutboundRequest(url=url, method="POST", kind=ASSIGNMENT_KIND,
                                     params=assignment_params(eng, ws, wf, task, res, worker)),
                     ws.account_sid, on_result=got, call_sid=events._call_sid(task))


def _plain(opts: Mapping[str, Any]) -> dict[str, Any]:
    """JSON answer values as the form strings the REST update gets (``true``, ``20``);
    lists only for ``..._event``; anything else is refused."""
    out = {}
    for k, v in opts.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (int, float)):
            v = str(v)
        elif isinstance(v, list) and k.endswith("_event"):
            v = [str(x) for x in v if isinstance(x, (str, int))]
        elif v is not None and not isinstance(v, str):
            raise invalid(f"{k} must be a string, number or boolean")
        if isinstance(v, str) and len(v) > 65536:
            raise invalid(f"{k} is too long")
        out[k] = v
    return out


def carry_out(eng: Engine, ws: Workspace, res: Reservation, opts: Mapping[str, Any]) -> None:
    """Run one instruction (``opts`` in the callback JSON's snake_case)."""
    opts = _plain(opts)
    what = opts.get("instruction")
    if what not in INSTRUCTIONS:
        raise invalid(f"Instruction must be one of {', '.join(INSTRUCTIONS)}")
    if what == "supervise":  # the one instruction for a reservation already accepted
        supervise(eng, ws, res, opts)
        return
    if res.reservation_status != "pending":
        raise invalid(f"Reservation {res.sid} is {res.reservation_status}, not pending")
    if what == "accept":
        accept(eng, ws, res)
    elif what == "reject":
        reject(eng, ws, res, opts.get("activity_sid") or opts.get("worker_activity_sid"))
    elif what == "conference":
        conference(eng, ws, res, opts)
    elif what == "dequeue":
        dequeue(eng, ws, res, opts)
    elif what == "call":
        call(eng, ws, res, opts)
    else:
        redirect(eng, ws, res, opts)


# -- REST: POST .../Reservations/{Sid} ------------------------------------------------------------
def update_reservation(eng: Engine, ws: Workspace, task: Task, res: Reservation, form: Form) -> None:
    """``form``: the request's CamelCase parameters (one value each, lists for events)."""
    status = form.get("ReservationStatus")
    instruction = form.get("Instruction")
    if status and status not in REST_STATUSES:
        raise invalid(f"ReservationStatus {status!r} is not valid")
    if instruction:
        opts = {snake(k): v for k, v in form.items()}
        carry_out(eng, ws, res, opts)
        return
    if status in ("accepted", "rejected") and res.reservation_status != "pending":
        raise invalid(f"Reservation {res.sid} is {res.reservation_status}, not pending")
    if status == "accepted":
        accept(eng, ws, res)
    elif status == "rejected":
        reject(eng, ws, res, form.get("WorkerActivitySid"))
    elif status in ("wrapping", "completed"):
        if status == "wrapping" and task.assignment_status == "assigned":
            tasks.wrap(eng, ws, task)
        elif status == "completed" and task.assignment_status in ("assigned", "wrapping"):
            tasks.complete(eng, ws, task)
        else:
            raise invalid(f"Reservation {res.sid} cannot move to {status} while its task is "
                          f"{task.assignment_status}")
    if form.get("WorkerActivitySid") and status != "rejected":
        worker = eng.db.get(Worker, res.worker_sid)
        if worker is None:  # deleted while its reservation was wrapping up
            raise NotFound(f"Worker {res.worker_sid}")
        set_activity(eng, ws, worker, form["WorkerActivitySid"])


# -- instructions that bridge calls --------------------------------------------------------------
def dequeue(eng: Engine, ws: Workspace, res: Reservation, opts: Mapping[str, Any]) -> None:
    task = existing(eng, Task, res.task_sid)
    call = customer_call(eng, ws, task)
    to = worker_contact(eng, res, opts, "dequeue_to" if opts.get("dequeue_to") else "to")
    caller_id = opts.get("dequeue_from") or opts.get("from") or call.to
    timeout = int_param(opts.get("dequeue_timeout"), "DequeueTimeout", 60, 1, 600)
    set_data(res, post_work_activity_sid=opts.get("dequeue_post_work_activity_sid")
             or opts.get("post_work_activity_sid"))
    accept(eng, ws, res)
    from xml.sax.saxutils import escape, quoteattr  # on use: see conference._worker_answered

    redirect_call(eng, call, twiml=(
        f"<Response><Dial callerId={quoteattr(caller_id)} timeout=\"{timeout}\">"
        f"<Number>{escape(to)}</Number></Dial></Response>"))


def call(eng: Engine, ws: Workspace, res: Reservation, opts: Mapping[str, Any]) -> None:
    url = opts.get("call_url") or opts.get("url")
    if not url:
        raise invalid("CallUrl is required for the call instruction")
    to = worker_contact(eng, res, opts, "call_to" if opts.get("call_to") else "to")
    from_ = opts.get("call_from") or opts.get("from")
    if not from_:
        raise invalid("CallFrom is required for the call instruction")
    account = eng.db.get(Account, ws.account_sid)
    create_api_call(eng, account, {
        "to": to, "from_": from_, "url": url,
        "status_callback": opts.get("call_status_callback_url"),
        "timeout": int_param(opts.get("call_timeout"), "CallTimeout", 60, 1, 600)})
    if bool_param(opts.get("call_accept"), "CallAccept", False):
        accept(eng, ws, res)


def redirect(eng: Engine, ws: Workspace, res: Reservation, opts: Mapping[str, Any]) -> None:
    sid, url = opts.get("redirect_call_sid") or opts.get("call_sid"), opts.get("redirect_url") \
        or opts.get("url")
    call = eng.db.get(Call, sid) if sid else None
    if call is None or call.account_sid != ws.account_sid or call.status != "in-progress":
        raise invalid(f"RedirectCallSid {sid!r} is not a call in progress")
    if not url:
        raise invalid("RedirectUrl is required for the redirect instruction")
    redirect_call(eng, call, url=url, method="POST")
    if bool_param(opts.get("redirect_accept"), "RedirectAccept", False):
        accept(eng, ws, res)


hooks.register("assign", send_assignment)
