"""TaskRouter v1 REST API on ``/v1/Workspaces/...``: thin views that parse, call the
taskrouter engine modules and render. Credentials: the account's SID and auth token (or an
API key), as for the 2010 API; every row is that account's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import urlencode

from flask import g, request

from ...api.base import emulator, engine, no_content, respond, world
from ...errors import BadRequest, NotFound, NotImplementedYet, Unauthorized
from ...store.models import Account
from .. import instructions, render, reservations, resources, tasks
from ..common import attrs, get, invalid, listing
from ..expressions import compile_expression, evaluate
from ..models import Activity, Reservation, Task, TaskQueue, Worker, Workflow, Workspace
from .blueprint import blueprint

if TYPE_CHECKING:  # annotations only
    from collections.abc import Callable, Sequence

    from flask.typing import ResponseReturnValue
    from sqlalchemy.orm import Session

    from ...engine.core import Engine

MAX_VALUE = 65536
PAGE_SIZE_MAX = 1000
WS = "/Workspaces/<ws_sid>"
R = TypeVar("R")  # a row of the listed kind


def _authed() -> Engine:
    """Authenticate the request's credentials and bind their account's world; its engine."""
    g.twilio_world = emulator().authenticate(request.headers.get("Authorization"))
    return engine()


def _account(db: Session) -> Account:
    """The request's account (its world is bound by :func:`_authed`)."""
    account = db.get(Account, world().account_sid)
    if account is None:  # closed while this request was on its way
        raise Unauthorized()
    return account


def _form() -> dict[str, Any]:
    out = {}
    for key in request.form:
        values = request.form.getlist(key)
        if any(len(v) > MAX_VALUE for v in values):
            raise invalid(f"{key} is too long")
        # Lists only where Twilio takes them (…Event); elsewhere the first value counts.
        out[key] = values if key.endswith("Event") else values[0]
    return out


def _page(items: Sequence[R], key: str, dump: Callable[[R], dict[str, Any]]) -> dict[str, Any]:
    args = request.args
    try:
        size = int(args.get("PageSize", 50))
        page = int(args.get("Page", 0))
    except ValueError:
        raise invalid("PageSize and Page must be integers") from None
    if not 1 <= size <= PAGE_SIZE_MAX or page < 0:
        raise invalid(f"PageSize must be 1-{PAGE_SIZE_MAX} and Page >= 0")
    filters = [(k, v) for k, v in args.items(multi=True)
               if k not in ("PageSize", "Page", "PageToken")]
    base = _origin() + request.path

    def url(p: int) -> str:
        return f"{base}?{urlencode(filters + [('PageSize', size), ('Page', p)])}"

    chunk = items[page * size:(page + 1) * size]
    return {key: [dump(x) for x in chunk], "meta": {
        "page": page, "page_size": size, "first_page_url": url(0),
        "previous_page_url": url(page - 1) if page > 0 else None, "url": url(page),
        "next_page_url": url(page + 1) if (page + 1) * size < len(items) else None,
        "key": key}}


def _origin() -> str:
    """Where paging URLs point: Twilio's host when the request came for it (in-process, or
    through the shipped HTTP client), else the emulator's own address, so a client whose
    ``taskrouter.base_url`` points here follows ``next_page_url`` here, never to Twilio."""
    host = (request.host or "").split(":")[0]
    if host == "twilio.com" or host.endswith(".twilio.com"):
        return "https://taskrouter.twilio.com"
    return request.host_url.rstrip("/")


def _ws(db: Session, account: Account, ws_sid: str) -> Workspace:
    return get(engine(), Workspace, account.sid, ws_sid, request.path)


def _filter(rows: list[R], name: str, attr: str, cast: type = str) -> list[R]:
    raw = request.args.get(name)
    if raw is None:
        return rows
    value: object = raw
    if cast is bool:
        if raw.lower() not in ("true", "false"):
            raise invalid(f"{name} must be true or false")
        value = raw.lower() == "true"
    return [r for r in rows if getattr(r, attr) == value]


# -- Workspaces -----------------------------------------------------------------------------
@blueprint.route("/Workspaces", methods=["GET", "POST"])
def workspaces() -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        account = _account(db)
        if request.method == "POST":
            ws = resources.create_workspace(eng, account.sid, _form())
            return respond(render.workspace(db, ws), 201)
        rows = _filter(listing(eng, Workspace, account.sid), "FriendlyName", "friendly_name")
        return respond(_page(rows, "workspaces", lambda w: render.workspace(db, w)))


@blueprint.route("/Workspaces/<ws_sid>", methods=["GET", "POST", "DELETE"])
def workspace(ws_sid: str) -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        if request.method == "DELETE":
            resources.delete_workspace(eng, ws)
            return no_content()
        if request.method == "POST":
            resources.update_workspace(eng, ws, _form())
        return respond(render.workspace(db, ws))


# -- the workspace's simple resources ---------------------------------------------------------
# kind: (table, list key, render, create, update, delete, list filters); per kind its own row type
SIMPLE: dict[str, tuple[Any, ...]] = {
    "Activities": (Activity, "activities", render.activity, resources.create_activity,
                   lambda eng, ws, a, p: resources.update_activity_name(eng, a, p),
                   resources.delete_activity, [("FriendlyName", "friendly_name", str),
                                               ("Available", "available", bool)]),
    "TaskQueues": (TaskQueue, "task_queues", render.task_queue, resources.create_task_queue,
                   resources.update_task_queue, resources.delete_task_queue,
                   [("FriendlyName", "friendly_name", str)]),
    "Workflows": (Workflow, "workflows", render.workflow, resources.create_workflow,
                  resources.update_workflow, resources.delete_workflow,
                  [("FriendlyName", "friendly_name", str)]),
    "Workers": (Worker, "workers", render.worker, resources.create_worker,
                resources.update_worker, resources.delete_worker,
                [("FriendlyName", "friendly_name", str), ("ActivitySid", "activity_sid", str),
                 ("Available", "available", bool)]),
}


# Twilio routes of TaskRouter v1 the emulator does not build: an honest 501, after auth.
NOT_BUILT_TOP = ("Events", "TaskChannels", "Statistics", "RealTimeStatistics",
                 "CumulativeStatistics")
NOT_BUILT_SUB = ("Channels", "Statistics", "RealTimeStatistics", "CumulativeStatistics")


def _not_built(ws_sid: str, what: str) -> NoReturn:
    eng = _authed()
    with eng.transaction() as db:
        _ws(db, _account(db), ws_sid)
    raise NotImplementedYet(f"TaskRouter {what}")


@blueprint.route(WS + "/<kind>/<sid>/<sub>", methods=["GET", "POST", "DELETE"])
@blueprint.route(WS + "/<kind>/<sid>/<sub>/<sub_sid>", methods=["GET", "POST", "DELETE"])
def not_built_nested(ws_sid: str, kind: str, sid: str, sub: str, sub_sid: str | None = None) -> ResponseReturnValue:
    if kind in SIMPLE and sub in NOT_BUILT_SUB or kind in NOT_BUILT_TOP:
        return _not_built(ws_sid, f"{kind}/{sub}")
    raise NotFound(request.path)


@blueprint.route(WS + "/<kind>", methods=["GET", "POST"])
def simple_list(ws_sid: str, kind: str) -> ResponseReturnValue:
    if kind == "Tasks":
        return task_list(ws_sid)
    if kind in NOT_BUILT_TOP:
        return _not_built(ws_sid, kind)
    if kind not in SIMPLE:
        raise NotFound(request.path)
    cls, key, dump, create, _, _, filters = SIMPLE[kind]
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        if request.method == "POST":
            return respond(dump(db, create(eng, ws, _form())), 201)
        rows = listing(eng, cls, ws.account_sid, ws.sid)
        for name, attr, cast in filters:
            rows = _filter(rows, name, attr, cast)
        if kind == "Workers" and request.args.get("TargetWorkersExpression"):
            node = compile_expression(request.args["TargetWorkersExpression"])
            rows = [w for w in rows if evaluate(node, worker=attrs(w), side="worker")]
        return respond(_page(rows, key, lambda r: dump(db, r)))


@blueprint.route(WS + "/<kind>/<sid>", methods=["GET", "POST", "DELETE"])
def simple_item(ws_sid: str, kind: str, sid: str) -> ResponseReturnValue:
    if kind == "Tasks":
        return task_item(ws_sid, sid)
    if kind in NOT_BUILT_TOP or sid in NOT_BUILT_SUB:
        return _not_built(ws_sid, f"{kind}/{sid}")
    if kind not in SIMPLE:
        raise NotFound(request.path)
    cls, _, dump, _, update, delete, _ = SIMPLE[kind]
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        row = get(eng, cls, ws.account_sid, sid, request.path, ws.sid)
        if request.method == "DELETE":
            delete(eng, ws, row)
            return no_content()
        if request.method == "POST":
            update(eng, ws, row, _form())
        return respond(dump(db, row))


# -- Tasks and their Reservations ---------------------------------------------------------------
def task_list(ws_sid: str) -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        if request.method == "POST":
            t = tasks.create_task(eng, ws, _form())
            return respond(render.task(db, t, eng.now()), 201)
        rows = listing(eng, Task, ws.account_sid, ws.sid)
        status = request.args.getlist("AssignmentStatus")
        if status:
            rows = [t for t in rows if t.assignment_status in status]
        for name, attr in (("WorkflowSid", "workflow_sid"), ("TaskQueueSid", "task_queue_sid")):
            rows = _filter(rows, name, attr)
        if request.args.get("Priority") is not None:
            rows = [t for t in rows if str(t.priority) == request.args["Priority"]]
        if request.args.get("EvaluateTaskAttributes"):
            node = compile_expression(request.args["EvaluateTaskAttributes"])
            rows = [t for t in rows if evaluate(node, task=attrs(t))]
        now = eng.now()
        return respond(_page(rows, "tasks", lambda t: render.task(db, t, now)))


def task_item(ws_sid: str, sid: str) -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        t = get(eng, Task, ws.account_sid, sid, request.path, ws.sid)
        if request.method == "DELETE":
            tasks.delete_task(eng, ws, t)
            return no_content()
        if request.method == "POST":
            tasks.update_task(eng, ws, t, _form())
        return respond(render.task(db, t, eng.now()))


@blueprint.get(WS + "/Tasks/<task_sid>/Reservations")
def reservation_list(ws_sid: str, task_sid: str) -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        t = get(eng, Task, ws.account_sid, task_sid, request.path, ws.sid)
        rows = reservations.of_task(eng, ws, t)
        rows = _filter(_filter(rows, "ReservationStatus", "reservation_status"),
                       "WorkerSid", "worker_sid")
        return respond(_page(rows, "reservations", lambda r: render.reservation(db, r)))


@blueprint.route(WS + "/Tasks/<task_sid>/Reservations/<sid>", methods=["GET", "POST"])
def reservation_item(ws_sid: str, task_sid: str, sid: str) -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        t = get(eng, Task, ws.account_sid, task_sid, request.path, ws.sid)
        r = get(eng, Reservation, ws.account_sid, sid, request.path, ws.sid)
        if r.task_sid != t.sid:
            raise BadRequest(f"Reservation {sid} is not a reservation of {task_sid}", 20001)
        if request.method == "POST":
            instructions.update_reservation(eng, ws, t, r, _form())
        return respond(render.reservation(db, r))


@blueprint.get(WS + "/Workers/<worker_sid>/Reservations")
def worker_reservation_list(ws_sid: str, worker_sid: str) -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        w = get(eng, Worker, ws.account_sid, worker_sid, request.path, ws.sid)
        rows = [r for r in listing(eng, Reservation, ws.account_sid, ws.sid)
                if r.worker_sid == w.sid]
        rows = _filter(rows, "ReservationStatus", "reservation_status")
        return respond(_page(rows, "reservations",
                             lambda r: render.reservation(db, r, by_worker=True)))


@blueprint.route(WS + "/Workers/<worker_sid>/Reservations/<sid>", methods=["GET", "POST"])
def worker_reservation_item(ws_sid: str, worker_sid: str, sid: str) -> ResponseReturnValue:
    eng = _authed()
    with eng.transaction() as db:
        ws = _ws(db, _account(db), ws_sid)
        w = get(eng, Worker, ws.account_sid, worker_sid, request.path, ws.sid)
        r = get(eng, Reservation, ws.account_sid, sid, request.path, ws.sid)
        if r.worker_sid != w.sid:
            raise NotFound(request.path)
        if request.method == "POST":
            t = get(eng, Task, ws.account_sid, r.task_sid, request.path, ws.sid)
            instructions.update_reservation(eng, ws, t, r, _form())
        return respond(render.reservation(db, r, by_worker=True))
