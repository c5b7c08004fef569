"""Open the store: SQLite in memory for tests, a SQLite file for ``serve``, any SQLAlchemy URL."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from .memory import fresh_memory_engine
from .models import Base

DEFAULT_SERVE_DB = "sqlite:///twilio-conf-emulator.db"


def open_store(url: str = "sqlite://") -> Session:
    """Return a Session bound to a fresh or existing database at ``url``.

    The engine serialises every access behind one lock, so a single connection shared
    across threads is both safe and the fastest choice for SQLite.
    """
    if url == "sqlite://":
        # Prepared schema, copied: no DDL per store (see store/memory.py).
        return Session(fresh_memory_engine(), expire_on_commit=False, autoflush=True)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite://":
            path = url[len("sqlite:///"):]
            if path and os.path.dirname(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a committed row survives the process being killed (only an OS
            # crash or power loss can lose the last commits), without an fsync per commit.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    else:
        engine = create_engine(url)
    Base.metadata.create_all(engine)
    # Objects stay usable after commit: the engine reads them again at once.
    return Session(engine, expire_on_commit=False, autoflush=True)
