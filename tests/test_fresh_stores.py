"""Every in-memory Emulator has its own empty database, although all of them share one
SQLAlchemy engine (so SQL is compiled once per process, not once per Emulator), and a
dropped Emulator's database goes with it."""

import gc
import sqlite3

from twilio_conf_emulator import Emulator


def _open_sqlite_connections():
    return sum(1 for o in gc.get_objects() if isinstance(o, sqlite3.Connection))


def test_each_emulator_starts_empty_and_keeps_its_own_rows():
    first, second = Emulator(), Emulator()
    p = first.client.conferences("Room").participants.create(from_="+15550001111",
                                                             to="+15550002222")
    first.advance(5)
    third = Emulator()
    assert [c.sid for c in first.client.conferences.list()] == [p.conference_sid]
    assert second.client.conferences.list() == []
    assert third.client.conferences.list() == []
    # Same seed, same scenario: the same SIDs in a new emulator (nothing carried over).
    q = third.client.conferences("Room").participants.create(from_="+15550001111",
                                                             to="+15550002222")
    assert (q.conference_sid, q.call_sid) == (p.conference_sid, p.call_sid)
    assert second.client.conferences.list() == []


def test_a_dropped_emulator_takes_its_database_with_it():
    gc.collect()
    before = _open_sqlite_connections()
    for _ in range(20):
        emu = Emulator()
        emu.client.conferences("Room").participants.create(from_="+15550001111",
                                                           to="+15550002222")
        emu.stop()
    del emu
    gc.collect()
    assert _open_sqlite_connections() <= before + 1  # at most the process's schema template
