"""Every stored action the engine schedules has an entry in the table that runs it after a
restart (a kind missing there would fail only when its timer fires)."""

import re
from pathlib import Path

import twilio_conf_emulator
from twilio_conf_emulator import Emulator
from twilio_conf_emulator.engine.action_kinds import LATE_KINDS, stored_actions
from twilio_conf_emulator.engine.voice.action_kinds import stored_actions as voice_actions
from twilio_conf_emulator.taskrouter.action_kinds import stored_actions as taskrouter_actions
from twilio_conf_emulator.taskrouter.late import LATE_KINDS as TASKROUTER_KINDS

PACKAGE = Path(twilio_conf_emulator.__file__).parent
KIND = re.compile(r'(?:stored\(eng,|schedule\(eng,[^;]*?)\s*"([a-z-]+\.[a-z-]+)"', re.S)


def test_every_kind_the_code_stores_is_in_the_table():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(KIND.findall(path.read_text()))
    assert len(used) >= 30
    # A world's own table finds each (loading the voice engine and TaskRouter for theirs).
    table = Emulator().engine.actions
    assert [kind for kind in sorted(used) if kind not in table] == []
    assert all(callable(table[kind]) for kind in used)


def test_each_services_kinds_are_found_by_the_prefixes_that_load_it():
    """A kind of the voice engine or of TaskRouter starts with a prefix that loads its module;
    no kind of the engine's own table does (it would load a service for nothing)."""
    def owner(kind, late):
        return next((where for prefix, where in late.items() if kind.startswith(prefix)), None)

    assert all(owner(k, LATE_KINDS) is None and owner(k, TASKROUTER_KINDS) is None
               for k in stored_actions())
    assert all(owner(k, LATE_KINDS) for k in voice_actions())
    assert all(owner(k, TASKROUTER_KINDS) for k in taskrouter_actions())


def test_an_unknown_stored_kind_from_an_older_store_is_dropped_not_run(store_url):
    from twilio_conf_emulator.store.db import open_store
    from twilio_conf_emulator.store.inflight import ScheduledAction

    Emulator(db_url=store_url).stop()
    db = open_store(store_url)
    db.add(ScheduledAction(due=0.0, seq=0, kind="gone.kind", args={}, label="old"))
    db.commit()
    db.close()
    emu = Emulator(db_url=store_url)
    try:
        assert emu.engine.scheduler.pending() == 0
        emu.advance(1)
        assert emu.alerts() == []
    finally:
        emu.stop()


def test_a_closure_given_to_the_scheduler_is_refused_while_stored_actions_are_required():
    import pytest

    from twilio_conf_emulator.config import EmulatorConfig
    from twilio_conf_emulator.engine.actions import NotStoredAction, stored

    emu = Emulator(config=EmulatorConfig(require_stored_actions=True))
    try:
        eng = emu.engine
        with pytest.raises(NotStoredAction, match="not stored"):
            with eng.transaction():
                eng.after(1, lambda: None, "a closure")
        assert eng.scheduler.pending() == 0  # refused: nothing was scheduled
        with eng.transaction():
            eng.after(1, stored(eng, "call.hangup", sid="CA" + "0" * 32, by="api"), "stored")
        assert eng.scheduler.pending() == 1
    finally:
        emu.stop()


def test_the_project_suite_runs_with_stored_actions_required(emu):
    # conftest turns the guard on for every test (and the serve processes they start), so
    # each scenario family (conference, AMD, speech, whisper, TaskRouter, wait/hold music,
    # speaker events) fails its own tests if it schedules a closure.
    assert emu.engine.config.require_stored_actions is True
