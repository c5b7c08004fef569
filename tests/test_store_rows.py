"""store.rows writes append-only rows byte for byte as ``insert(table)`` would (defaults,
JSON, NULLs), in the session's transaction (a rollback removes them)."""

from sqlalchemy import insert

from twilio_conf_emulator.store.db import open_store
from twilio_conf_emulator.store.inflight import PendingRequest, ScheduledAction
from twilio_conf_emulator.store.models import Alert, JournalEntry, MediaEventRow
from twilio_conf_emulator.store.rows import commit_written, delete_row, insert_row

CASES = [
    (ScheduledAction, dict(account_sid=None, due=1.5, seq=0, kind="k", args={"a": [1, "é"]})),
    (ScheduledAction, dict(account_sid="AC1", due=2.0, seq=0, kind="k", args={}, label="x")),
    (PendingRequest, dict(account_sid="AC1", url="https://a.test/", method="POST",
                          params=[["A", "b"]], kind="voice", call_sid=None, conference_sid=None,
                          journal_params=None, handler=None, handler_args=None)),
    (MediaEventRow, dict(t=3.0, kind="conf-join", call_sid="CA1", conference_sid="CF1")),
    (MediaEventRow, dict(t=3.0, kind="conf-join", call_sid=None, conference_sid="CF1",
                         data={"muted": True})),
    (Alert, dict(seq=1, account_sid="AC1", time=1.0, code=11200, message="m", call_sid=None,
                 conference_sid=None, url=None)),
    (JournalEntry, dict(seq=1, account_sid="AC1", time=1.0, kind="voice", url="https://a.test/",
                        method="POST", params=[["A", "b"]], signature="s", status=200,
                        body="<Response/>", body_size=11, error_code=None, error_message=None,
                        call_sid="CA1", conference_sid=None)),
]


def _rows(db, table):
    return db.connection().exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY id").fetchall()


def test_rows_are_stored_as_core_stores_them():
    fast, core = open_store(), open_store()
    for model, fields in CASES:
        fast_id = insert_row(fast, model.__table__, dict(fields))
        core_id = core.connection().execute(insert(model.__table__), dict(fields)).inserted_primary_key[0]
        assert fast_id == core_id
    for model, _ in CASES:
        assert _rows(fast, model.__table__) == _rows(core, model.__table__)
    fast.commit()


def test_rows_follow_the_session_transaction():
    db = open_store()
    table = MediaEventRow.__table__
    kept = insert_row(db, table, dict(t=1.0, kind="a"))
    db.commit()
    gone = insert_row(db, table, dict(t=2.0, kind="b"))
    delete_row(db, table, kept)
    assert [r[0] for r in _rows(db, table)] == [gone]
    db.rollback()
    assert [r[0] for r in _rows(db, table)] == [kept]
    delete_row(db, table, kept)
    db.commit()
    assert _rows(db, table) == []


def test_a_turn_that_only_wrote_rows_commits_on_the_connection_and_a_later_rollback_keeps_it(tmp_path):
    import sqlite3

    db = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    table = MediaEventRow.__table__
    kept = insert_row(db, table, dict(t=1.0, kind="a"))
    assert commit_written(db)  # committed without Session.commit
    other = sqlite3.connect(tmp_path / "store.db")  # another reader sees it at once
    assert other.execute("SELECT id FROM media_events").fetchall() == [(kept,)]
    insert_row(db, table, dict(t=2.0, kind="b"))
    db.rollback()
    assert [r[0] for r in _rows(db, table)] == [kept]
    assert other.execute("SELECT id FROM media_events").fetchall() == [(kept,)]


def test_a_turn_with_orm_work_left_is_committed_by_the_session():
    db = open_store()
    insert_row(db, MediaEventRow.__table__, dict(t=1.0, kind="a"))
    db.add(Alert(seq=1, account_sid="AC1", time=1.0, code=1, message="m"))
    assert not commit_written(db)
    db.commit()
    assert len(_rows(db, Alert.__table__)) == 1
