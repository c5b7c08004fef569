"""Declaring a worker with a virtual phone in one step (control API and scenario files):
the phone behaves as ``/_emulator/phones`` describes, and the worker's ``contact_uri``
attribute is that number, so a ``conference`` instruction reaches it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..engine import calls as calls_engine
from .common import get, invalid, listing
from .models import Activity, Workspace
from .resources import create_worker

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine
    from .models import Worker


def declare_worker(eng: Engine, account_sid: str, spec: Mapping[str, Any]) -> tuple[Workspace, Worker]:
    ws_sid = spec.get("workspace_sid")
    ws = get(eng, Workspace, account_sid, ws_sid, f"Workspace {ws_sid}")
    attrs = spec.get("attributes") or {}
    if not isinstance(attrs, dict):
        raise invalid("attributes must be a JSON object")
    phone = spec.get("phone") or {}
    if not isinstance(phone, dict):
        raise invalid("phone must be an object (number, answer_after, audio, ...)")
    number = phone.get("number") or attrs.get("contact_uri")
    if number:
        attrs = {**attrs, "contact_uri": number}
        cfg = {k: v for k, v in phone.items() if k != "number"}
        calls_engine.set_phone(eng.db, number, cfg, account_sid)
    activity = spec.get("activity") or ws.data["default_activity_sid"]
    if not str(activity).startswith("WA"):
        found = [a.sid for a in listing(eng, Activity, account_sid, ws.sid)
                 if a.friendly_name == activity]
        if not found:
            raise invalid(f"No Activity named {activity!r} in the Workspace")
        activity = found[0]
    return ws, create_worker(eng, ws, {"FriendlyName": spec.get("friendly_name"),
                                       "Attributes": json.dumps(attrs), "ActivitySid": activity})
