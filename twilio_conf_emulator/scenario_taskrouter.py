"""The ``taskrouter:`` section of a scenario file: a workspace, its queues, workflows and
workers with virtual phones, declared before any caller dials::

    taskrouter:
      workspace: {friendly_name: Contact centre, event_callback_url: "http://app.local/events"}
      queues:
        - {friendly_name: English, target_workers: "languages HAS 'en'"}
      workflows:                 # configuration: a task_routing object; queues by name or SID.
        - {friendly_name: Inbound, assignment_callback_url: "http://app.local/assign",
           task_reservation_timeout: 30}       # no configuration: everything to the 1st queue
      workers:
        - {friendly_name: alice, attributes: {languages: [en]}, activity: Available,
           phone: {number: "+15550300001", answer_after: 2, audio: alice.wav}}

Each friendly name becomes a placeholder for its SID in ``actions`` (``{Inbound}``,
``{alice}``, the default activities ``{Available}``, ``{Offline}``...), beside the callers'
names, and in the numbers' ``voice_url``; ``{Workspace}`` is the workspace's SID.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only
    from .scenario import Target


def normalise(section: object, base_dir: str, error: Callable[[str], Exception]) -> dict[str, Any] | None:
    if not section:
        return None
    if not isinstance(section, dict) or not isinstance(section.get("workspace"), dict):
        raise error("taskrouter: needs a workspace mapping (friendly_name, ...)")
    out: dict[str, Any] = {"workspace": dict(section["workspace"]), "queues": [], "workflows": [],
           "workers": []}
    for key in ("queues", "workflows", "workers"):
        for item in section.get(key) or []:
            if not isinstance(item, dict) or not item.get("friendly_name"):
                raise error(f"taskrouter.{key}: {item!r} has no friendly_name")
            item = dict(item)
            phone = item.get("phone")
            if isinstance(phone, dict) and phone.get("audio"):
                item["phone"] = {**phone, "audio": os.path.join(base_dir, phone["audio"])}
            out[key].append(item)
    return out


def _form(item: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, str]:
    words = {"friendly_name": "FriendlyName"}
    form = {}
    for k, v in item.items():
        if k in skip:
            continue
        name = words.get(k) or "".join(p.capitalize() for p in k.split("_"))
        form[name] = json.dumps(v) if isinstance(v, (dict, list)) else str(v)
    return form


def _create(target: Target, path: str, form: dict[str, Any], error: Callable[[str], Exception]) -> dict[str, Any]:
    status, body = target.api("POST", path, form)
    if status >= 400:
        raise error(f"taskrouter: POST {path}: HTTP {status} {body[:300]!r}")
    return json.loads(body)


def declare(sc_section: Mapping[str, Any] | None, target: Target, error: Callable[[str], Exception]) -> dict[str, str]:
    """Create everything through the REST and control APIs; returns ``{name: sid}``."""
    if not sc_section:
        return {}
    ws = _create(target, "/v1/Workspaces", _form(sc_section["workspace"]), error)
    sids = {"Workspace": ws["sid"]}
    base = f"/v1/Workspaces/{ws['sid']}"
    status, body = target.api("GET", base + "/Activities")
    if status >= 400:
        raise error(f"taskrouter: GET {base}/Activities: HTTP {status}")
    sids.update({a["friendly_name"]: a["sid"] for a in json.loads(body)["activities"]})
    queues = []
    for q in sc_section["queues"]:
        sids[q["friendly_name"]] = _create(target, base + "/TaskQueues", _form(q), error)["sid"]
        queues.append(sids[q["friendly_name"]])
    for wf in sc_section["workflows"]:
        cfg = wf.get("configuration")
        if cfg is None:
            if not queues:
                raise error("taskrouter.workflows: no configuration and no queue to route to")
            cfg = {"task_routing": {"filters": [], "default_filter": {"queue": queues[0]}}}
        cfg = json.loads(json.dumps(cfg if not isinstance(cfg, str) else json.loads(cfg)))
        routing = cfg.get("task_routing") or {}
        for ref in [t for f in routing.get("filters") or [] for t in f.get("targets") or []] \
                + [routing.get("default_filter") or {}]:
            if ref.get("queue") in sids:
                ref["queue"] = sids[ref["queue"]]
        form = _form({**wf, "configuration": cfg})
        sids[wf["friendly_name"]] = _create(target, base + "/Workflows", form, error)["sid"]
    for w in sc_section["workers"]:
        sids[w["friendly_name"]] = target.control(
            "POST", "/taskrouter/workers", {**w, "workspace_sid": ws["sid"]})["sid"]
    return sids
