"""Junk in every TaskRouter parameter (names from the shipped extract) never yields a 5xx nor
breaks a scheduled action afterwards; every refusal is Twilio's error body."""

import base64
import json
import os

from taskrouter_helpers import CUSTOMER, SUPPORT, build
from test_api_fuzz import JUNK, RAW_BODIES

import twilio_conf_emulator.taskrouter as taskrouter_pkg

SPEC = os.path.join(os.path.dirname(taskrouter_pkg.__file__), "spec",
                    "taskrouter_v1_extract.json")
ERROR_KEYS = {"code", "message", "more_info", "status"}


def concrete(template, ids):
    for name, value in ids.items():
        template = template.replace("{" + name + "}", value)
    return template


def test_junk_in_every_taskrouter_parameter(emu, tmp_path):
    centre = build(emu, tmp_path, answer=None)
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    task = centre["tr"].tasks.list()[0]
    res = centre["tr"].tasks(task.sid).reservations.list()[0]
    with open(SPEC) as fh:
        spec = json.load(fh)
    web = emu.app.test_client()
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    sent = 0
    for template, item in spec["paths"].items():
        op = item.get("post")
        if op is None:
            continue
        names = list(op.get("requestBody", {}).get("content", {})
                     .get("application/x-www-form-urlencoded", {})
                     .get("schema", {}).get("properties", {}))
        ids = {"WorkspaceSid": centre["workspace"], "TaskSid": task.sid,
               "WorkerSid": centre["workers"]["alice"]}
        by_collection = {"Activities": centre["activities"]["Unavailable"],
                         "TaskQueues": centre["queue"], "Workflows": centre["workflow"],
                         "Workers": centre["workers"]["alice"], "Reservations": res.sid,
                         "Tasks": task.sid, "Workspaces": centre["workspace"]}
        ids["Sid"] = by_collection[template.split("/")[-2]] if template.endswith("{Sid}") \
            else ""
        path = concrete(template, ids)
        for name in names:
            for value in JUNK[:12]:
                r = web.post(path, data={name: value}, headers=headers)
                sent += 1
                assert r.status_code < 500, (path, name, value, r.get_data(as_text=True))
                if r.status_code >= 400:
                    assert set(r.get_json()) == ERROR_KEYS
            for raw in RAW_BODIES:
                r = web.post(path, data=raw.format(name=name), headers=headers,
                             content_type="application/x-www-form-urlencoded")
                sent += 1
                assert r.status_code < 500, (path, name, raw)
        emu.advance(1)  # strict_actions: a scheduled action that broke would raise here
    assert sent > 1000
    emu.advance(200)
