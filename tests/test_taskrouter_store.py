"""TaskRouter state in the store: a restarted emulator carries on without reusing a SID,
and reset drops it like every other resource."""

import json

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig

CONFIG = '{"task_routing": {"filters": [], "default_filter": {"queue": "%s"}}}'


def centre(emu):
    tr = emu.client.taskrouter.v1
    ws = tr.workspaces.create(friendly_name=f"W{len(tr.workspaces.list())}")
    q = tr.workspaces(ws.sid).task_queues.create(friendly_name="Q")
    wf = tr.workspaces(ws.sid).workflows.create(friendly_name="F", configuration=CONFIG % q.sid)
    t = tr.workspaces(ws.sid).tasks.create(workflow_sid=wf.sid, attributes='{"n": 1}')
    return ws, t


def test_restart_on_the_same_file_keeps_taskrouter_and_never_reuses_a_sid(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    ws1, t1 = centre(first)
    first.stop()
    second = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    ws2, t2 = centre(second)
    assert ws2.sid != ws1.sid and t2.sid != t1.sid
    tr = second.client.taskrouter.v1
    kept = tr.workspaces(ws1.sid).tasks(t1.sid).fetch()
    assert json.loads(kept.attributes) == {"n": 1} and kept.assignment_status == "pending"
    # Lists keep creation order across the restart.
    assert [w.sid for w in tr.workspaces.list()] == [ws1.sid, ws2.sid]
    second.stop()


def test_reset_drops_taskrouter_state(emu):
    ws, _ = centre(emu)
    emu.reset()
    assert emu.client.taskrouter.v1.workspaces.list() == []
    again, _ = centre(emu)
    assert again.sid == ws.sid   # SIDs start over, as for every resource
