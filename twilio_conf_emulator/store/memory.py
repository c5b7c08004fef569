"""A fresh in-memory SQLite store, cheaply: the schema is created once per process in a
template database, and every new store is a copy of it made with SQLite's backup API (a
page copy, far cheaper than ``create_all``'s DDL and table checks for every Emulator)."""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING

from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from .models import Base

if TYPE_CHECKING:  # annotations only
    from sqlalchemy import Engine

_template: sqlite3.Connection | None = None
_lock = threading.Lock()


def _prepared_schema() -> sqlite3.Connection:
    global _template
    if _template is None:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        engine = create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
        Base.metadata.create_all(engine)
        _template = conn
    return _template


def fresh_memory_engine() -> Engine:
    """An engine on a new in-memory database that already holds every table."""
    with _lock:
        template = _prepared_schema()
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        template.backup(conn)
    return create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
