"""Open the store: SQLite in memory for tests, a SQLite file for ``serve``, PostgreSQL (psycopg 3)
or any SQLAlchemy URL."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from . import inflight  # noqa: F401  (its rows are read at start-up: engine/actions.py)
from .memory import fresh_memory_connection
from .models import Base
from .schema import load_models, sqlite_schema

NEW_STORE = "twilio_new_store"  # Session.info key: see is_new_store


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3 (the ``postgres`` extra); SQLAlchemy
    would otherwise look for psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_memory_url(url: str) -> bool:
    """Whether ``open_store(url)`` makes a new, empty in-memory store."""
    return normalise_url(url) == "sqlite://"


def open_store(url: str = "sqlite://") -> Session:
    """Return a Session bound to a fresh or existing database at ``url``.

    The engine serialises every access behind one lock, so a single connection shared
    across threads is both safe and the fastest choice for SQLite.
    """
    if is_memory_url(url):
        # Prepared schema, copied, on the process's one engine: no DDL and no SQL compiling
        # per store (see store/memory.py).
        session = Session(fresh_memory_connection(), expire_on_commit=False, autoflush=True)
        session.info[NEW_STORE] = True
        return session
    url = normalise_url(url)
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
        engine = create_engine(url, pool_pre_ping=True)
    with engine.connect() as conn:
        new = not set(inspect(conn).get_table_names()) & set(Base.metadata.tables)
    if new and engine.dialect.name == "sqlite":
        with engine.begin() as conn:  # the schema create_all makes, without compiling it
            for statement in sqlite_schema().splitlines():
                conn.exec_driver_sql(statement)
    else:
        load_models().create_all(engine)
        if not new:
            _add_missing_columns(engine)
    # Objects stay usable after commit: the engine reads them again at once.
    session = Session(engine, expire_on_commit=False, autoflush=True)
    session.info[NEW_STORE] = new
    return session


def is_new_store(db: Session) -> bool:
    """Whether ``open_store`` made this store's schema itself (an in-memory store, or a file or
    database that held none of the emulator's tables): no row in it was written before, so
    a world has nothing to resume from it."""
    return bool(db.info.get(NEW_STORE))


def outlives_process(db: Session) -> bool:
    """Can another process open this store (a file or a server)? An in-memory SQLite store
    ends with its process, so nothing in it is ever read after a restart."""
    bind: Any = db.get_bind()
    url = getattr(bind, "engine", bind).url  # a Session bound to a Connection, too
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _add_missing_columns(engine):
    """A store written by an older version lacks the nullable columns added since; add them
    (create_all only creates missing tables) so the file keeps working."""
    insp = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name not in have and col.nullable:
                    kind = col.type.compile(dialect=engine.dialect)
                    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{col.name}" {kind}'))
