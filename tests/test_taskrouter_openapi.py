"""Done-when 5 of issue 10: every TaskRouter route the emulator builds, driven through
twilio-python over a whole queue-to-agent flow, each 2xx body validated against the trimmed
OpenAPI shipped in the package; bad input gets Twilio's error codes."""

import datetime
import json
import os

import pytest
from openapi_schema_validator import OAS30Validator
from taskrouter_helpers import CUSTOMER, SUPPORT, build
from test_api_openapi import ERROR_KEYS, Operations, RecordingHttpClient, format_checker, resolve
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

import twilio_conf_emulator.taskrouter as taskrouter_pkg

SPEC = os.path.join(os.path.dirname(taskrouter_pkg.__file__), "spec",
                    "taskrouter_v1_extract.json")


def _iso(value):
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        return True
    except (TypeError, ValueError):
        return False


class TaskRouterOperations(Operations):
    def validator(self, key, status):
        op = self.ops[key][1]
        response = op["responses"].get(str(status))
        assert response is not None, f"{key} does not declare status {status}"
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return None
        checker = format_checker()
        checker.checks("date-time")(_iso)  # TaskRouter's dates: 2015-07-30T20:00:00Z
        return OAS30Validator(resolve(self.spec, schema), format_checker=checker)


def walk(emu, tmp_path):
    http = RecordingHttpClient(emu.app)
    client = Client(emu.account_sid, emu.auth_token, http_client=http)
    client.edge = client.region = None
    emu._client = client  # the helpers drive the same recording client
    centre = build(emu, tmp_path, answer="conference", workers=("alice", "bob"))
    tr = client.taskrouter.v1
    ws = tr.workspaces(centre["workspace"])
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(10)
    task = ws.tasks.list()[0]
    # Every route and method.
    tr.workspaces.list(page_size=1)
    tr.workspaces.list(friendly_name="Contact centre")
    ws.fetch()
    ws.update(events_filter="task.created,reservation.created", prioritize_queue_order="LIFO")
    extra = tr.workspaces.create(friendly_name="Spare", template="FIFO")
    act = ws.activities.create(friendly_name="Break", available=False)
    ws.activities(act.sid).fetch()
    ws.activities(act.sid).update(friendly_name="Lunch")
    ws.activities.list(available="true")
    q2 = ws.task_queues.create(friendly_name="French", target_workers="languages HAS 'fr'",
                               reservation_activity_sid=act.sid, task_order="LIFO")
    ws.task_queues(q2.sid).fetch()
    ws.task_queues(q2.sid).update(max_reserved_workers=2)
    ws.task_queues.list(page_size=1)
    ws.workflows(centre["workflow"]).fetch()
    ws.workflows(centre["workflow"]).update(task_reservation_timeout=60)
    wf2 = ws.workflows.create(friendly_name="French flow", configuration=json.dumps(
        {"task_routing": {"filters": [], "default_filter": {"queue": q2.sid}}}))
    ws.workflows.list()
    carol = ws.workers.create(friendly_name="carol", attributes='{"languages": ["fr"]}')
    ws.workers(carol.sid).fetch()
    ws.workers(carol.sid).update(activity_sid=act.sid, attributes='{"languages": ["fr", "en"]}')
    ws.workers.list(available="false")
    ws.workers.list(target_workers_expression="languages HAS 'fr'")
    ws.tasks(task.sid).fetch()
    ws.tasks.list(assignment_status=["assigned"])
    ws.tasks.list(evaluate_task_attributes="selected_language == 'en'")
    res = ws.tasks(task.sid).reservations.list()[0]
    ws.tasks(task.sid).reservations(res.sid).fetch()
    ws.tasks(task.sid).reservations.list(reservation_status="accepted")
    alice = ws.workers(centre["workers"]["alice"])
    assert [r.sid for r in alice.reservations.list()] == [res.sid]
    assert alice.reservations(res.sid).fetch().reservation_status == "accepted"
    alice.reservations.list(reservation_status="accepted")
    ws.tasks(task.sid).reservations(res.sid).update(
        worker_activity_sid=centre["activities"]["Available"])
    ws.tasks(task.sid).update(assignment_status="wrapping")
    alice.reservations(res.sid).update(reservation_status="completed")
    other = ws.tasks.create(workflow_sid=wf2.sid, attributes='{"type": "email"}',
                            task_channel="default", priority=3, timeout=600)
    ws.tasks(other.sid).update(attributes='{"type": "email", "vip": true}')
    ws.tasks(other.sid).update(assignment_status="canceled", reason="spam")
    ws.tasks(other.sid).delete()
    ws.workers(carol.sid).delete()
    ws.workflows(wf2.sid).delete()
    ws.task_queues(q2.sid).delete()
    ws.activities(act.sid).delete()
    tr.workspaces(extra.sid).delete()
    emu.hangup(customer)
    emu.advance(1)
    return http


@pytest.fixture
def walked(emu, tmp_path):
    with open(SPEC) as fh:
        ops = TaskRouterOperations(json.load(fh))
    http = walk(emu, tmp_path)
    tr = [x for x in http.exchanges if x[1].startswith("/v1/")]
    return ops, tr


def test_every_taskrouter_route_and_method_is_exercised(walked):
    ops, exchanges = walked
    seen = {ops.match(method, path) for method, path, _, _ in exchanges}
    assert seen == set(ops.ops), sorted(set(ops.ops) - seen)


def test_every_taskrouter_body_validates_against_the_extract(walked):
    ops, exchanges = walked
    checked = 0
    for method, path, status, text in exchanges:
        assert 200 <= status < 300, (method, path, status, text)
        validator = ops.validator(ops.match(method, path), status)
        if validator is None:
            assert status == 204 and text == ""
            continue
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(json.loads(text))]
        assert not errors, (method, path, errors[:10])
        checked += 1
    assert checked >= 40


def test_list_envelope_is_v1_meta(emu, tmp_path):
    centre = build(emu, tmp_path)
    page = emu.client.taskrouter.v1.workspaces(centre["workspace"]).activities.page(page_size=2)
    meta = page._payload["meta"] if hasattr(page, "_payload") else None
    body = json.loads(emu.client.http_client.last_response.text)
    assert set(body["meta"]) == {"page", "page_size", "first_page_url", "previous_page_url",
                                 "url", "next_page_url", "key"}
    assert body["meta"]["key"] == "activities" and len(body["activities"]) == 2
    assert body["meta"]["next_page_url"].startswith(
        "https://taskrouter.twilio.com/v1/Workspaces/")
    # twilio-python follows next_page_url through the emulator.
    names = [a.friendly_name for a in emu.client.taskrouter.v1.workspaces(
        centre["workspace"]).activities.list(page_size=1)]
    assert names == ["Offline", "Available", "Unavailable"]
    assert meta is None or meta["page_size"] == 2


def error_of(client, call):
    """(HTTP status, Twilio code, body) of the error ``call`` gets (twilio-python raises
    TwilioRestException for records, TwilioException for pages)."""
    with pytest.raises(TwilioException):
        call()
    body = json.loads(client.http_client.last_response.text)
    assert set(body) == ERROR_KEYS
    return client.http_client.last_response.status_code, body["code"], body


@pytest.mark.parametrize("case, status, code", [
    ("workspace without FriendlyName", 400, 20001),
    ("unknown workspace", 404, 20404),
    ("worker attributes not JSON", 400, 20001),
    ("queue expression outside the subset", 400, 20001),
    ("workflow with an unknown queue", 404, 20404),
    ("workflow configuration not JSON", 400, 20001),
    ("task priority not a number", 400, 20001),
    ("complete a pending task", 409, 20001),
    ("unknown reservation", 404, 20404),
    ("accept a canceled reservation", 400, 20001),
    ("instruction not known", 400, 20001),
    ("page size too big", 400, 20001),
    ("unknown activity for a worker", 404, 20404),
    ("delete a queue with an active task", 400, 20001),
    ("delete a workflow with an active task", 400, 20001),
])
def test_bad_input_gets_twilio_codes_and_changes_nothing(emu, tmp_path, case, status, code):
    centre = build(emu, tmp_path)
    tr = emu.client.taskrouter.v1
    ws = tr.workspaces(centre["workspace"])
    t = ws.tasks.create(workflow_sid=centre["workflow"], attributes="{}")
    emu.advance(0)
    res = ws.tasks(t.sid).reservations.list()[0]
    before = ws.tasks(t.sid).fetch().assignment_status
    calls = {
        "workspace without FriendlyName": lambda: tr.workspaces.create(friendly_name=""),
        "unknown workspace": lambda: tr.workspaces("WS" + "0" * 32).fetch(),
        "worker attributes not JSON": lambda: ws.workers.create(friendly_name="x",
                                                                attributes="{nope"),
        "queue expression outside the subset": lambda: ws.task_queues.create(
            friendly_name="q", target_workers="skills ~= 'x'"),
        "workflow with an unknown queue": lambda: ws.workflows.create(
            friendly_name="w", configuration=json.dumps(
                {"task_routing": {"filters": [], "default_filter": {"queue": "WQ" + "0" * 32}}})),
        "workflow configuration not JSON": lambda: ws.workflows.create(
            friendly_name="w", configuration="{"),
        "task priority not a number": lambda: ws.tasks.create(
            workflow_sid=centre["workflow"], priority="high"),
        "complete a pending task": lambda: ws.tasks(
            ws.tasks.create(workflow_sid=centre["workflow"], attributes='{"x": 1}').sid
        ).update(assignment_status="completed"),
        "unknown reservation": lambda: ws.tasks(t.sid).reservations("WR" + "0" * 32).fetch(),
        "accept a canceled reservation": lambda: (
            ws.tasks(t.sid).update(assignment_status="canceled"),
            ws.tasks(t.sid).reservations(res.sid).update(reservation_status="accepted")),
        "instruction not known": lambda: ws.tasks(t.sid).reservations(res.sid).update(
            instruction="teleport"),
        "page size too big": lambda: ws.workers.page(page_size=5000),
        "unknown activity for a worker": lambda: ws.workers(centre["workers"]["alice"]).update(
            activity_sid="WA" + "0" * 32),
        "delete a queue with an active task": lambda: ws.task_queues(centre["queue"]).delete(),
        "delete a workflow with an active task": lambda: ws.workflows(
            centre["workflow"]).delete(),
    }
    got_status, got_code, _ = error_of(emu.client, calls[case])
    assert (got_status, got_code) == (status, code)
    body = json.loads(emu.client.http_client.last_response.text)
    assert set(body) == ERROR_KEYS and body["status"] == status
    if case not in ("accept a canceled reservation", "complete a pending task"):
        assert ws.tasks(t.sid).fetch().assignment_status == before
    assert ws.workers(centre["workers"]["alice"]).fetch().activity_name == "Available"


def test_credentials_of_another_account_see_nothing(emu, tmp_path):
    centre = build(emu, tmp_path)
    sid, token = emu.create_account()
    other = emu.make_client(sid, token)
    assert other.taskrouter.v1.workspaces.list() == []
    status, code, _ = error_of(other, lambda: other.taskrouter.v1.workspaces(
        centre["workspace"]).fetch())
    assert (status, code) == (404, 20404)
    bad = emu.make_client(emu.account_sid, "wrong")
    status, code, _ = error_of(bad, lambda: bad.taskrouter.v1.workspaces.list())
    assert (status, code) == (401, 20003)


@pytest.mark.parametrize("configuration", [
    {"task_routing": []},
    {"task_routing": {"filters": [{"expression": 5, "targets": []}]}},
    {"task_routing": {"filters": [{"expression": "1==1", "targets": ["WQ"]}]}},
    {"task_routing": {"filters": [{"expression": "1==1", "targets": [
        {"queue": "QUEUE", "priority": "high"}]}]}},
    {"task_routing": {"filters": [{"expression": "1==1", "targets": [
        {"queue": "QUEUE", "timeout": -1}]}]}},
    {"task_routing": {"filters": "all"}},
    ["not", "an", "object"],
])
def test_bad_workflow_configurations_are_400_20001(emu, tmp_path, configuration):
    centre = build(emu, tmp_path)
    text = json.dumps(configuration).replace("QUEUE", centre["queue"])
    ws = emu.client.taskrouter.v1.workspaces(centre["workspace"])
    status, code, _ = error_of(emu.client, lambda: ws.workflows.create(
        friendly_name="bad", configuration=text))
    assert (status, code) == (400, 20001)
    assert [w.friendly_name for w in ws.workflows.list()] == ["Inbound"]


@pytest.mark.parametrize("path", [
    "Statistics", "RealTimeStatistics", "CumulativeStatistics", "Events", "TaskChannels",
    "Events/EV" + "0" * 32, "TaskChannels/TC" + "0" * 32, "TaskQueues/Statistics",
    "Workers/Statistics", "TaskQueues/{queue}/Statistics", "Workflows/{workflow}/Statistics",
    "Workers/{alice}/Channels", "Workers/{alice}/Statistics",
    "Workers/{alice}/Channels/WC" + "0" * 32,
])
def test_routes_of_twilio_not_built_are_501(emu, tmp_path, path):
    centre = build(emu, tmp_path)
    path = path.format(queue=centre["queue"], workflow=centre["workflow"],
                       alice=centre["workers"]["alice"])
    url = f"https://taskrouter.twilio.com/v1/Workspaces/{centre['workspace']}/{path}"
    resp = emu.client.request("GET", url)
    body = json.loads(resp.text)
    assert resp.status_code == 501 and set(body) == ERROR_KEYS and body["code"] == 20501
    other = emu.make_client(*emu.create_account())
    assert other.request("GET", url).status_code == 404   # only after authentication


def test_unknown_taskrouter_paths_are_404(emu, tmp_path):
    centre = build(emu, tmp_path)
    for path in ("Nonsense", "Workers/{alice}/Nonsense", "Tasks/WT" + "0" * 32):
        url = (f"https://taskrouter.twilio.com/v1/Workspaces/{centre['workspace']}/"
               + path.format(alice=centre["workers"]["alice"]))
        resp = emu.client.request("GET", url)
        assert resp.status_code == 404 and json.loads(resp.text)["code"] == 20404
