"""store.inserts: a turn's new rows of the plain shape (a call, a participant joining a stored
conference) are written with plain INSERTs; the store ends up as the ORM's flush leaves it,
the rows are persistent and usable, and a rolled-back turn takes them back."""

from sqlalchemy import inspect

from twilio_conf_emulator.store.db import open_store
from twilio_conf_emulator.store.models import Call, Conference, Participant
from twilio_conf_emulator.store.updates import write_changed_columns


def _store():
    db = open_store()
    db.add(Conference(sid="CF1", account_sid="AC1", friendly_name="room", date_created=1.0,
                      date_updated=1.0))
    db.commit()
    return db


def _join(db, n):
    conf = db.get(Conference, "CF1")
    call = Call(sid=f"CA{n}", account_sid="AC1", to="+1", from_="+2", direction="outbound-api",
                date_created=2.0, date_updated=2.0, options={"n": n})
    part = Participant(conference_sid="CF1", call_sid=call.sid, account_sid="AC1",
                       date_created=2.0, date_updated=2.0, label=None)
    db.add(call)
    db.add(part)
    conf.participants.append(part)
    conf.date_updated = 2.0 + n
    return conf, call, part


def _dump(db):
    conn = db.connection()
    return [conn.exec_driver_sql(f"SELECT * FROM {t}").fetchall()
            for t in ("conferences", "calls", "participants")]


def test_new_rows_are_stored_as_the_orm_stores_them():
    fast, orm = _store(), _store()
    for n in (1, 2):
        _, call, part = _join(fast, n)
        _join(orm, n)
        write_changed_columns(fast)
        assert not fast.new and not fast.dirty  # nothing left for the flush
        assert inspect(part).persistent and part.id is not None
        assert part.status == "queued" and part.muted is False  # defaults, as the ORM keeps them
        fast.commit()
        orm.commit()
    assert _dump(fast) == _dump(orm)
    assert [p.call_sid for p in fast.get(Conference, "CF1").participants] == ["CA1", "CA2"]
    assert fast.get(Call, "CA2") is call


def test_a_rolled_back_turn_takes_its_new_rows_back():
    db = _store()
    before = _dump(db)
    _, call, part = _join(db, 1)
    write_changed_columns(db)
    db.rollback()
    assert _dump(db) == before
    assert not inspect(part).persistent and not inspect(call).persistent
    assert db.get(Conference, "CF1").participants == []


def test_a_new_conference_with_its_participants_is_left_to_the_orm():
    db = open_store()
    conf = Conference(sid="CF2", account_sid="AC1", friendly_name="new", date_created=1.0,
                      date_updated=1.0)
    part = Participant(conference_sid="CF2", call_sid="CA9", account_sid="AC1",
                       date_created=1.0, date_updated=1.0)
    db.add(conf)
    conf.participants.append(part)
    write_changed_columns(db)
    assert conf in db.new and part in db.new  # untouched
    db.commit()
    assert db.get(Conference, "CF2").participants[0].call_sid == "CA9"


def test_nones_and_defaults_are_stored_as_the_orm_stores_them():
    from twilio_conf_emulator.store.inflight import PendingRequest

    fast, orm = _store(), _store()
    for db in (fast, orm):
        db.add(Participant(conference_sid="CF1", call_sid="CA7", account_sid="AC1",
                           date_created=1.0, date_updated=1.0, muted=None, label=None,
                           start_conference_on_enter=None, options=None))
        db.add(PendingRequest(account_sid=None, url="u", method="POST", params=[], kind="k"))
    write_changed_columns(fast)
    assert not fast.new
    fast.commit()
    orm.commit()
    assert _dump(fast) == _dump(orm)
    rows = [db.connection().exec_driver_sql("SELECT * FROM pending_requests").fetchall()
            for db in (fast, orm)]
    assert rows[0] == rows[1]
    for db in (fast, orm):
        part = db.query(Participant).filter_by(call_sid="CA7").one()
        assert (part.muted, part.start_conference_on_enter) == (False, True)
