"""TaskRouter in a world per account: each account's workspaces, SIDs, clock and matching are
its own; the whole conference flow runs the same in a second world."""

import json

from taskrouter_helpers import CUSTOMER, SUPPORT, build


def test_a_second_world_runs_the_flow_on_its_own(emu, tmp_path):
    sid, _ = emu.create_account()
    other = emu.world(sid)
    a = build(emu, tmp_path, answer="conference")
    b = build(other, tmp_path, answer="conference", host="b.test")
    assert a["workspace"] != b["workspace"]           # SIDs are scoped by account
    emu.call(CUSTOMER, SUPPORT)
    other.call(CUSTOMER, SUPPORT)
    emu.advance(10)                                    # only the default world's clock moves
    assert a["tr"].tasks.list()[0].assignment_status == "assigned"
    assert b["tr"].tasks.list() == []                 # its caller has not even rung yet
    other.advance(10)
    task = b["tr"].tasks.list()[0]
    assert task.assignment_status == "assigned"
    assert json.loads(task.attributes)["conference"]["room_name"] == task.sid
    # Neither account sees the other's workspace; each journal has only its own events.
    assert [w.sid for w in other.client.taskrouter.v1.workspaces.list()] == [b["workspace"]]
    assert {e["params"][1][1] for e in other.webhooks.all(kind="taskrouter-event")} == {
        b["workspace"]}
    other.reset()
    assert other.client.taskrouter.v1.workspaces.list() == []
    assert [w.sid for w in emu.client.taskrouter.v1.workspaces.list()] == [a["workspace"]]
