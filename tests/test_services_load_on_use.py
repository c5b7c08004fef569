"""The TwiML voice engine and TaskRouter load on first use (issue 11: memory of a server that
never runs a TwiML document or routes a task), yet a world made before they loaded runs all of
them: their stored actions and leg purposes are found in the world's tables as if they had been
there from the start, in a running process and in one restarted on the same store. Each runs
in a fresh interpreter, so nothing else has loaded them first."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from twilio_conf_emulator.engine.late_table import LateTable

TESTS = os.path.dirname(os.path.abspath(__file__))
LOADED = ("twilio_conf_emulator.taskrouter.models", "twilio_conf_emulator.taskrouter.service",
          "twilio_conf_emulator.taskrouter.matching")


def run(script, *args):
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args], cwd=TESTS,
                         capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=TESTS))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


VOICE = """
    import json, sys
    from twilio_conf_emulator import Emulator
    from twilio_conf_emulator.config import EmulatorConfig

    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    emu.client.conferences.list()
    before = [m for m in sys.modules if ".engine.voice" in m or ".engine.twiml" in m]
    call = emu.client.calls.create(to="+15550001111", from_="+15550002222", twiml=(
        "<Response><Say>Hello</Say><Pause length='30'/><Hangup/></Response>"))
    emu.advance(15)
    during = emu.client.calls(call.sid).fetch().status
    emu.advance(60)
    print(json.dumps({"before": before, "during": during,
                      "after": emu.client.calls(call.sid).fetch().status,
                      "loaded": "twilio_conf_emulator.engine.voice.runner" in sys.modules}))
"""


def test_a_world_made_before_the_voice_engine_loaded_runs_a_twiml_call():
    got = run(VOICE)
    assert got["before"] == []
    # The Calls API loaded the interpreter; its leg purpose and its timers (the <Pause>, a
    # stored action) were found in the world's tables, and the call ran to its <Hangup>.
    assert got["loaded"] is True
    assert got["during"] == "in-progress" and got["after"] == "completed"


FLOW = """
    import json, sys
    from twilio_conf_emulator import Emulator
    from twilio_conf_emulator.config import EmulatorConfig

    LOADED = json.loads(sys.argv[1])
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    emu.client.conferences.list()
    before = [m for m in LOADED if m in sys.modules]

    import tempfile, pathlib
    from taskrouter_helpers import CUSTOMER, SUPPORT, build, wav
    tmp = pathlib.Path(tempfile.mkdtemp())
    centre = build(emu, tmp, answer="conference")
    customer = emu.call(CUSTOMER, SUPPORT, audio=wav(tmp, "customer.wav", 440))
    emu.advance(10)
    task = centre["tr"].tasks.list()[0]
    conf = emu.client.conferences.list(friendly_name=task.sid)[0]
    worker = json.loads(task.fetch().attributes)["conference"]["participants"]["worker"]
    parts = sorted(p.call_sid for p in emu.client.conferences(conf.sid).participants.list())
    print(json.dumps({"before": before, "after": [m for m in LOADED if m in sys.modules],
                      "status": emu.client.conferences(conf.sid).fetch().status,
                      "parts": parts, "want": sorted([customer, worker]),
                      "worker_leg": emu.client.calls(worker).fetch().status,
                      "task": task.fetch().assignment_status}))
"""


def test_a_world_made_before_taskrouter_loaded_runs_a_task_into_a_conference():
    got = run(FLOW, json.dumps(LOADED))
    assert got["before"] == []
    assert got["after"] == list(LOADED)
    # <Enqueue> made the Task; matching (a stored action) reserved the worker; the worker's
    # leg (TaskRouter's leg purpose) joined the caller in the room named by the Task.
    assert got["status"] == "in-progress" and got["parts"] == got["want"]
    assert got["worker_leg"] == "in-progress" and got["task"] == "assigned"


FIRST = """
    import sys
    from twilio_conf_emulator import Emulator
    from twilio_conf_emulator.config import EmulatorConfig

    emu = Emulator(db_url=sys.argv[1], config=EmulatorConfig(strict_actions=True))
    tr = emu.client.taskrouter.v1
    ws = tr.workspaces.create(friendly_name="W")
    q = tr.workspaces(ws.sid).task_queues.create(friendly_name="Q")
    wf = tr.workspaces(ws.sid).workflows.create(friendly_name="F", configuration=
        '{"task_routing": {"filters": [], "default_filter": {"queue": "%s"}}}' % q.sid)
    t = tr.workspaces(ws.sid).tasks.create(workflow_sid=wf.sid, attributes="{}", timeout=60)
    emu.stop()
    print('{"workspace": "%s", "task": "%s"}' % (ws.sid, t.sid))
"""

SECOND = """
    import json, sys
    from twilio_conf_emulator import Emulator
    from twilio_conf_emulator.config import EmulatorConfig

    emu = Emulator(db_url=sys.argv[1], config=EmulatorConfig(strict_actions=True))
    task = emu.client.taskrouter.v1.workspaces(sys.argv[2]).tasks(sys.argv[3])
    before = task.fetch().assignment_status
    emu.advance(61)
    after = task.fetch()
    print(json.dumps({"before": before, "after": after.assignment_status,
                      "reason": after.reason}))
"""


def test_a_restarted_store_keeps_taskrouter_timers_the_new_process_had_not_loaded(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    made = run(FIRST, url)
    # The second process has not loaded TaskRouter's stored actions when it reads the
    # store's timers back; the Task's TTL must still fire, not be dropped as unknown.
    got = run(SECOND, url, made["workspace"], made["task"])
    assert got["before"] == "pending"
    assert got["after"] == "canceled" and got["reason"] == "Task TTL Exceeded"


def test_late_table_loads_the_service_a_name_belongs_to_once():
    table = LateTable({"twiml": 1}, {"tr.": f"{__name__}:_part"})
    _PART.clear()
    _PART.update({"tr.match": 2, "tr.ttl": 3})
    _LOADS.clear()
    assert table["twiml"] == 1 and _LOADS == []
    assert "tr.match" in table and table["tr.ttl"] == 3 and _LOADS == [1]
    assert "tr.other" not in table and _LOADS == [1]
    with pytest.raises(KeyError):
        table["tr.other"]
    with pytest.raises(KeyError):
        table["nothing"]
    assert table.names() == ["tr.match", "tr.ttl", "twiml"]
    assert LateTable({"a": 1}, {"tr.": "x:y"}).names() == ["a", "tr."]


_PART: dict = {}
_LOADS: list = []


def _part():
    _LOADS.append(1)
    return dict(_PART)


def test_the_taskrouter_tables_a_world_names_are_its_models_tables():
    """A world resets and resumes TaskRouter's tables by name (taskrouter/late.py): the names
    must be every TaskRouter model's table, each with its SID prefix (a restart that reuses
    no SID: tests/test_taskrouter_store.py)."""
    from twilio_conf_emulator.taskrouter import late, models

    mapped = {m.__tablename__: m for m in vars(models).values()
              if isinstance(m, type) and hasattr(m, "__tablename__")}
    assert sorted(late.WORLD_TABLES) == sorted(mapped)
    assert sorted(late.SID_PREFIXES.values()) == sorted(mapped)
