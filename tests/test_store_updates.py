"""store.updates: a turn that only changed columns of existing rows is written with one
UPDATE per row (not the ORM flush); the store ends up exactly as the ORM would leave it, and
a rolled-back turn leaves it untouched."""

from sqlalchemy.orm.attributes import flag_modified

from twilio_conf_emulator.store.db import open_store
from twilio_conf_emulator.store.models import Call, Conference, Participant
from twilio_conf_emulator.store.updates import write_changed_columns


def _store():
    db = open_store()
    db.add(Conference(sid="CF1", account_sid="AC1", friendly_name="room", date_created=1.0,
                      date_updated=1.0, options={"a": 1}))
    db.add(Call(sid="CA1", account_sid="AC1", to="+1", from_="+2", direction="outbound-api",
                date_created=1.0, date_updated=1.0))
    db.add(Participant(conference_sid="CF1", call_sid="CA1", account_sid="AC1",
                       date_created=1.0, date_updated=1.0))
    db.commit()
    return db


def _change(db):
    conf, call = db.get(Conference, "CF1"), db.get(Call, "CA1")
    part = db.query(Participant).one()
    conf.status, conf.options = "in-progress", {**conf.options, "b": [1, "é"]}
    conf.date_updated = 1.0  # the same value: no column to write
    call.from_, call.end_time = "+3", 9.5
    part.muted, part.label = True, None
    part.options["x"] = 1
    flag_modified(part, "options")
    return conf, call, part


def _dump(db):
    conn = db.connection()
    return [conn.exec_driver_sql(f"SELECT * FROM {t}").fetchall()
            for t in ("conferences", "calls", "participants")]


def test_changed_columns_are_stored_as_the_orm_stores_them():
    fast, orm = _store(), _store()
    _change(fast)
    _change(orm)
    write_changed_columns(fast)
    assert not fast.dirty  # nothing left for the flush
    fast.commit()
    orm.commit()
    assert _dump(fast) == _dump(orm)
    assert fast.get(Call, "CA1").from_ == "+3"


def test_a_rolled_back_turn_leaves_the_store_and_the_rows_as_they_were():
    db = _store()
    before = _dump(db)
    _change(db)
    write_changed_columns(db)
    db.rollback()
    assert _dump(db) == before
    assert db.get(Conference, "CF1").status == "init"
    assert db.query(Participant).one().muted is False


def test_a_turn_that_deletes_a_row_is_left_to_the_orm():
    db = _store()
    conf, call, _ = _change(db)
    db.delete(call)
    write_changed_columns(db)
    assert conf in db.dirty  # untouched: the ORM flushes it with the delete
    db.commit()
    assert db.get(Conference, "CF1").status == "in-progress"
    assert db.connection().exec_driver_sql("SELECT count(*) FROM calls").scalar() == 0


def test_a_row_gone_from_under_the_session_is_reported_as_the_orm_reports_it():
    import pytest
    from sqlalchemy.orm.exc import StaleDataError

    db = _store()
    call = db.get(Call, "CA1")
    db.connection().exec_driver_sql("DELETE FROM calls WHERE sid = 'CA1'")
    call.status = "ringing"
    with pytest.raises(StaleDataError):
        write_changed_columns(db)
