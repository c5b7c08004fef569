"""What every TaskRouter module shares: Twilio's errors, parameter checks, row helpers, and a
worker's activity change (which may make it available, so it offers waiting tasks)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import BadRequest, NotFound, TwilioError
from . import events, hooks
from .models import Activity, Reservation, Task, TaskQueue, Worker, Workflow, Workspace, _Row

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

Row = TypeVar("Row", bound=_Row)  # one of TaskRouter's tables
# A request's parameters: strings, and lists of strings for the ``...Event`` keys.
Form = Mapping[str, Any]

MAX_ATTRIBUTES = 16384  # Twilio caps Task attributes at 16 KiB
MAX_NAME = 256
TASK_TIMEOUT_DEFAULT, TASK_TIMEOUT_MAX = 86400, 2 * 86400


class Conflict(TwilioError):
    status = 409

    def __init__(self, message: str, code: int = 20409) -> None:
        super().__init__(message, code=code)


def invalid(message: str) -> BadRequest:
    return BadRequest(message, code=20001)


def new_row(eng: Engine, cls: type[Row], prefix: str, account_sid: str, **fields: Any) -> Row:
    now = eng.now()
    row = cls(sid=eng.sids.new(prefix), account_sid=account_sid, date_created=now,
              date_updated=now, seq=_next_seq(eng), **fields)
    eng.db.add(row)
    return row


def _next_seq(eng: Engine) -> int:
    """Creation order (lists are in it): after the store's rows on first use (a restart)."""
    memory = eng.memory("taskrouter")
    n = memory.get("seq")
    if n is None:
        tables: tuple[type[_Row], ...] = (Workspace, Activity, TaskQueue, Workflow, Worker, Task,
                                          Reservation)
        n = max([r.seq or 0 for cls in tables for r in eng.db.query(cls)] or [0])
    memory["seq"] = n + 1
    return n + 1


def touch(eng: Engine, row: _Row) -> None:
    row.date_updated = eng.now()


def set_data(row: _Row, **changes: Any) -> None:
    row.data = {**(row.data or {}), **changes}


def attrs(row: _Row) -> dict[str, Any]:
    """A row's ``attributes`` JSON as a dict ({} if it does not parse)."""
    try:
        value = json.loads((row.data or {}).get("attributes") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def name_param(value: str | None) -> str:
    if value is None or value == "":
        raise invalid("Missing required parameter FriendlyName in the post body")
    if len(value) > MAX_NAME:
        raise invalid(f"FriendlyName must be at most {MAX_NAME} characters")
    return value


def json_attributes(value: str | None, what: str = "Attributes") -> str:
    """A JSON object string (Twilio stores and returns the string itself)."""
    if value is None:
        return "{}"
    if len(value) > MAX_ATTRIBUTES:
        raise invalid(f"{what} must be at most {MAX_ATTRIBUTES} characters")
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid(f"{what} is not valid JSON: {value[:60]!r}") from None
    if not isinstance(parsed, dict):
        raise invalid(f"{what} must be a JSON object")
    return value


def int_param(value: str | int | None, name: str, default: int, lo: int, hi: int) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise invalid(f"{name} must be an integer") from None
    if not lo <= n <= hi:
        raise invalid(f"{name} must be between {lo} and {hi}")
    return n


def bool_param(value: object, name: str, default: bool | None = None) -> bool | None:
    if value is None or value == "":
        return default
    low = str(value).lower()
    if low not in ("true", "false"):
        raise invalid(f"{name} must be true or false")
    return low == "true"


def get(eng: Engine, cls: type[Row], account_sid: str, sid: str | None, path: str,
        workspace_sid: str | None = None) -> Row:
    row = eng.db.get(cls, sid) if sid else None
    if row is None or row.account_sid != account_sid or (
            workspace_sid is not None and getattr(row, "workspace_sid", None) != workspace_sid):
        raise NotFound(path)
    return row


def existing(eng: Engine, cls: type[Row], sid: str) -> Row:
    """A row the rules keep while ``sid`` names it (a reservation's task, a live leg)."""
    row = eng.db.get(cls, sid)
    assert row is not None, f"{cls.__name__} {sid} is gone"
    return row


def listing(eng: Engine, cls: type[Row], account_sid: str, workspace_sid: str | None = None) -> list[Row]:
    q = eng.db.query(cls).filter(cls.account_sid == account_sid)
    if workspace_sid is not None:
        q = q.filter(cls.workspace_sid == workspace_sid)  # type: ignore[attr-defined]  # all but Workspace
    return q.order_by(cls.seq).all()


def set_activity(eng: Engine, ws: Workspace, worker: Worker, activity_sid: str) -> None:
    """The worker's activity changes (REST, a queue's activities, PostWork, a timeout)."""
    act = get(eng, Activity, ws.account_sid, activity_sid, f"Activity {activity_sid}", ws.sid)
    if act.sid == worker.activity_sid:
        return
    worker.activity_sid = act.sid
    worker.available = act.available
    worker.date_status_changed = eng.now()
    if act.available:
        worker.idle_since = eng.now()
    touch(eng, worker)
    events.send(eng, ws, "worker.activity.update", worker=worker)
    if act.available:
        hooks.offer(eng, ws.sid)
