"""Scheduled actions and queued requests are stored only where a restart can read them: a
file store keeps them (see test_store_restart), an in-memory store keeps them in memory
alone and runs the same."""

from twilio_conf_emulator import Emulator


def _in_flight(emu):
    conn = emu.engine.db.connection()
    return tuple(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                 for t in ("scheduled_actions", "pending_requests"))


def _scenario(emu):
    emu.phone("+15550000001", answer_after=2, hangup_after=30)
    emu.client.calls.create(from_="+15550100000", to="+15550000001",
                            url="https://app.test/voice", status_callback="https://app.test/cb",
                            status_callback_event=["initiated", "ringing", "answered", "completed"])
    seen = [_in_flight(emu)]
    emu.advance(1)
    seen.append(_in_flight(emu))
    emu.advance(60)
    return seen, [(e["kind"], e["url"], e["params"]) for e in emu.webhooks.all()]


def test_a_memory_store_keeps_no_in_flight_rows_and_runs_as_a_file_store_does(tmp_path):
    memory = Emulator()
    file = Emulator(db_url=f"sqlite:///{tmp_path / 'store.db'}")
    try:
        memory_seen, memory_journal = _scenario(memory)
        file_seen, file_journal = _scenario(file)
    finally:
        memory.stop()
        file.stop()
    assert memory_seen == [(0, 0), (0, 0)]
    assert any(n > 0 for pair in file_seen for n in pair)
    assert memory_journal == file_journal and len(memory_journal) >= 4


def test_every_stored_action_pending_in_a_file_store_keeps_its_row(tmp_path):
    """An action that schedules the next one right after its own row was deleted gets that
    row's id back from SQLite; the new row must survive the action's commit."""
    emu = Emulator(db_url=f"sqlite:///{tmp_path / 'store.db'}")
    try:
        emu.phone("+15550000001", answer_after=2, hangup_after=30)
        emu.client.calls.create(from_="+15550100000", to="+15550000001",
                                url="https://app.test/voice")
        for step in (0, 1, 1, 1, 3, 30, 5):
            emu.advance(step)
            with emu.engine.transaction() as db:
                stored = sorted(item.record.id for item in emu.engine.scheduler._heap
                                if item.record is not None)
                rows = [r[0] for r in db.connection().exec_driver_sql(
                    "SELECT id FROM scheduled_actions ORDER BY id")]
            assert rows == stored, step
    finally:
        emu.stop()
