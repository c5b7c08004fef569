"""TaskRouter over a real ``serve`` socket: the shipped EmulatorHttpClient rewrites
taskrouter.twilio.com to the emulator, and so does ``client.taskrouter.base_url``."""

import json

from test_api_server_and_determinism import advance, server  # noqa: F401 - the fixture
from twilio.rest import Client

from twilio_conf_emulator.client import server_client

SID, TOKEN = "AC" + "1" * 32, "server-token"


def walk(client, base):
    tr = client.taskrouter.v1
    ws = tr.workspaces.create(friendly_name="Over HTTP")
    acts = {a.friendly_name: a.sid for a in tr.workspaces(ws.sid).activities.list()}
    q = tr.workspaces(ws.sid).task_queues.create(friendly_name="Q")
    wf = tr.workspaces(ws.sid).workflows.create(friendly_name="F", configuration=json.dumps(
        {"task_routing": {"filters": [], "default_filter": {"queue": q.sid}}}))
    w = tr.workspaces(ws.sid).workers.create(friendly_name="w", activity_sid=acts["Available"])
    t = tr.workspaces(ws.sid).tasks.create(workflow_sid=wf.sid, attributes='{"a": 1}')
    advance(base, 0)
    res = tr.workspaces(ws.sid).tasks(t.sid).reservations.list()
    assert [r.worker_sid for r in res] == [w.sid]
    tr.workspaces(ws.sid).tasks(t.sid).reservations(res[0].sid).update(
        reservation_status="accepted")
    assert tr.workspaces(ws.sid).tasks(t.sid).fetch().assignment_status == "assigned"
    # Paging follows next_page_url (an absolute taskrouter.twilio.com URL) to the emulator.
    assert len(tr.workspaces(ws.sid).activities.list(page_size=1)) == 3
    assert tr.workspaces(ws.sid).delete() is True


def test_emulator_http_client_reaches_taskrouter(server):  # noqa: F811
    walk(server_client(server, SID, TOKEN), server)


def test_taskrouter_base_url_form(server):  # noqa: F811
    client = Client(SID, TOKEN)
    client.taskrouter.base_url = server
    client.edge = client.region = None
    client.http_client.session.trust_env = False
    tr = client.taskrouter.v1
    ws = tr.workspaces.create(friendly_name="base_url")
    assert tr.workspaces(ws.sid).fetch().friendly_name == "base_url"
    assert ws.url.startswith("https://taskrouter.twilio.com/v1/Workspaces/WS")
    # Paging URLs point back at the server, so list() never leaves for real Twilio.
    assert [a.friendly_name for a in tr.workspaces(ws.sid).activities.list(page_size=1)] == [
        "Offline", "Available", "Unavailable"]
