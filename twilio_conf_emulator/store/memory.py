"""A fresh in-memory SQLite store, cheaply.

- The schema is created once per process in a template database, from the schema script
  (``store/schema.py``); every new store is a copy of it made with SQLite's backup API (a page
  copy, cheaper still than running the script for every Emulator).
- Every in-memory store is a connection of ONE process-wide SQLAlchemy engine. SQLAlchemy
  caches compiled SQL per engine (its key holds the engine's dialect), so an engine per
  store compiled every statement again for every Emulator: most of what a fresh emulator
  cost. The connection is detached from the pool, so it lives exactly as long as its store
  (the sqlite3 connection, and the database with it, goes when the store is collected).
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING

from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import NullPool

from .schema import sqlite_schema

if TYPE_CHECKING:  # annotations only
    from sqlalchemy import Engine

_template: sqlite3.Connection | None = None
_engine: Engine | None = None
_lock = threading.Lock()


def _copy_of_template() -> sqlite3.Connection:
    """A new in-memory database holding every table (the engine's connection factory)."""
    global _template
    with _lock:
        if _template is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            conn.executescript(sqlite_schema())
            _template = conn
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        _template.backup(copy)
    return copy


def _shared_engine() -> Engine:
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = create_engine("sqlite://", creator=_copy_of_template,
                                        poolclass=NullPool)
    return _engine


def fresh_memory_connection() -> Connection:
    """A connection to a new in-memory database that already holds every table; a Session
    bound to it commits and rolls back on it as it would on an engine."""
    conn = _shared_engine().connect()
    conn.detach()  # its own database: never back to a pool, closed when collected
    return conn
