"""One ``serve`` per database: a second process on a database already served refuses to start.

The engine keeps state in memory next to the store (the scheduler, cached rows), so two
processes on one database would overwrite each other. PostgreSQL: a session-level advisory
lock held on a dedicated connection for the life of the process. SQLite file: an exclusive
``flock`` on ``<file>.lock`` (released by the kernel when the process dies, even on kill -9).
In-memory SQLite is private to its process and needs nothing.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Callable

# Same number in every process: the lock is per database, not per table.
ADVISORY_KEY = zlib.crc32(b"twilio-conf-emulator") & 0x7FFFFFFF


class StoreInUse(RuntimeError):
    """Another process serves this database."""


class Lease:
    def __init__(self, release: Callable[[], None] | None) -> None:
        self._release = release

    def release(self) -> None:
        if self._release is not None:
            self._release()
            self._release = None


def acquire(url: str) -> Lease:
    """Take the database ``url`` for this process, or raise StoreInUse (one-line reason)."""
    from .db import normalise_url

    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path or path == ":memory:":
            return Lease(None)
        return _file_lock(os.path.abspath(path) + ".lock")
    if url.startswith("postgresql"):
        return _advisory_lock(url)
    return Lease(None)


def _file_lock(lock_path: str) -> Lease:
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
        os.close(fd)
        raise StoreInUse(f"the store is already served by pid {holder} "
                         f"(lock {lock_path}); one serve per database") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)

    def release() -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    return Lease(release)


def _advisory_lock(url: str) -> Lease:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    conn = engine.connect()
    got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
    conn.commit()
    if not got:
        conn.close()
        engine.dispose()
        safe = engine.url.render_as_string(hide_password=True)
        raise StoreInUse(f"the database {safe} is already served by another "
                         f"twilio-conf-emulator (advisory lock {ADVISORY_KEY}); "
                         f"one serve per database")

    def release() -> None:
        conn.close()  # the session ends, and the lock with it
        engine.dispose()

    return Lease(release)
