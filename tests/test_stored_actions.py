"""Every stored action the engine schedules has an entry in the table that runs it after a
restart (a kind missing there would fail only when its timer fires)."""

import re
from pathlib import Path

import twilio_conf_emulator
from twilio_conf_emulator.engine.action_kinds import stored_actions

PACKAGE = Path(twilio_conf_emulator.__file__).parent
KIND = re.compile(r'(?:stored\(eng,|schedule\(eng,[^;]*?)\s*"([a-z-]+\.[a-z-]+)"', re.S)


def test_every_kind_the_code_stores_is_in_the_table():
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(KIND.findall(path.read_text()))
    table = stored_actions()
    assert len(used) >= 15
    assert used <= set(table), sorted(used - set(table))
    assert all(callable(fn) for fn in table.values())


def test_an_unknown_stored_kind_from_an_older_store_is_dropped_not_run(store_url):
    from twilio_conf_emulator import Emulator
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
