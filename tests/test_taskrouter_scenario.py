"""Issue 10's scenario helper: workers with virtual phones declared in a scenario file (and
through POST /_emulator/taskrouter/workers), a whole queue-to-agent flow from one YAML file."""

import json
import os

from twilio_conf_emulator import scenario

ROOT = os.path.join(os.path.dirname(__file__), "..")
SCENARIO = os.path.join(ROOT, "fixtures", "scenario_taskrouter.yaml")


def run(emu):
    import sys

    sys.path.insert(0, ROOT)
    try:
        from fixtures.taskrouter_app import app
    finally:
        sys.path.remove(ROOT)
    emu.deliver_webhooks_to(app)
    return scenario.run(scenario.load(SCENARIO), scenario.InProcess(emu))


def test_queue_to_agent_flow_from_one_yaml_file(emu):
    result = run(emu)
    sids = result["taskrouter"]
    ws = emu.client.taskrouter.v1.workspaces(sids["Workspace"])
    tasks = {json.loads(t.attributes)["call_sid"]: t for t in ws.tasks.list()}
    first, second = result["calls"]["first"], result["calls"]["second"]
    assert set(tasks) == {first, second}
    for caller, worker in ((first, "alice"), (second, "bob")):
        task = tasks[caller]
        conf = json.loads(task.attributes)["conference"]
        assert conf["room_name"] == task.sid and conf["participants"]["customer"] == caller
        assert emu.client.calls(conf["participants"]["worker"]).fetch().to == \
            json.loads(ws.workers(sids[worker]).fetch().attributes)["contact_uri"]
        assert [r.worker_name for r in ws.tasks(task.sid).reservations.list()] == [worker]
    # bob became Available at 60 s: the second caller's reservation was made then.
    res = ws.tasks(tasks[second].sid).reservations.list()[0]
    assert res.date_created.timestamp() == result["start"] + 60
    # alice's phone hung up after 90 s: her part is over, the task wraps up.
    assert ws.tasks(tasks[first].sid).fetch().assignment_status == "wrapping"
    assert ws.tasks(tasks[second].sid).fetch().assignment_status == "assigned"
    assert [a for a in result["alerts"] if a["level"] == "error"] == []


def test_the_same_scenario_gives_the_same_journal(emu):
    from twilio_conf_emulator import Emulator

    other = Emulator()
    try:
        a, b = run(emu), run(other)
    finally:
        other.stop()
    assert len(a["journal"]) > 10
    assert json.dumps(a["journal"], sort_keys=True) == json.dumps(b["journal"], sort_keys=True)


def test_control_api_declares_a_worker_with_a_virtual_phone(emu):
    client = emu.app.test_client()
    ws = emu.client.taskrouter.v1.workspaces.create(friendly_name="W")
    r = client.post("/_emulator/taskrouter/workers", json={
        "workspace_sid": ws.sid, "friendly_name": "dan", "activity": "Available",
        "attributes": {"skills": ["billing"]}, "phone": {"number": "+15550400001",
                                                         "answer_after": 4}})
    assert r.status_code == 201
    body = r.get_json()
    assert body["activity_name"] == "Available" and body["available"] is True
    assert json.loads(body["attributes"]) == {"skills": ["billing"],
                                              "contact_uri": "+15550400001"}
    call = emu.client.calls.create(to="+15550400001", from_="+15550000000",
                                   twiml="<Response><Pause length='30'/></Response>")
    emu.advance(3)
    assert emu.client.calls(call.sid).fetch().status == "ringing"
    emu.advance(2)
    assert emu.client.calls(call.sid).fetch().status == "in-progress"
    bad = client.post("/_emulator/taskrouter/workers", json={
        "workspace_sid": ws.sid, "friendly_name": "eve", "activity": "Napping"})
    assert bad.status_code == 400 and bad.get_json()["code"] == 20001
