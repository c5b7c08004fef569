"""The store every world shares: one SQLAlchemy session behind one lock.

SQLite is one connection, so the worlds take turns at it; each world's :class:`Engine` keeps
its own clock, scheduler, SIDs and outbox, and its rows carry its account SID.  The lock is
held only for short turns at the state (never while a webhook is in flight or audio is
rendered), so worlds do not wait on each other's networks.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from ..store.db import outlives_process
from ..store.rows import commit_written
from ..store.updates import write_changed_columns
from . import books
from .actions import FORGOTTEN

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import Session

    from ..store.models import Base
    from .books import Booked


class SharedStore:
    def __init__(self, db: Session) -> None:
        self.db = db
        self.lock = threading.RLock()
        # The session's identity map holds rows weakly, so a row nobody references is read
        # again from the database on the next ``get``; the state is small, so keep every row
        # the session knows alive until it leaves the session (a big saving per action).
        self.rows: set[object] = set()
        self.unsaved_books: list[tuple[type[Base], dict[str, Any]]] = []  # (class, fields) of journal rows not committed yet
        # Scheduled actions and queued requests are stored only for a restart to carry on
        # from; an in-memory store has no restart, so it keeps them in memory alone (two
        # statements per action and per webhook saved).
        self.keeps_in_flight = outlives_process(db)
        event.listen(db, "pending_to_persistent", self._keep_row)
        event.listen(db, "loaded_as_persistent", self._keep_row)
        event.listen(db, "persistent_to_detached", self._drop_row)
        event.listen(db, "persistent_to_deleted", self._drop_row)

    def _keep_row(self, session: Session, instance: object) -> None:
        self.rows.add(instance)

    def _drop_row(self, session: Session, instance: object) -> None:
        self.rows.discard(instance)

    def commit(self) -> None:
        write_changed_columns(self.db)  # the usual turn: a few columns, no ORM flush
        if not commit_written(self.db):
            self.db.commit()
        self.unsaved_books.clear()
        self.db.info.pop(FORGOTTEN, None)

    def rollback(self) -> None:
        """Roll back the state, but not the books: journal entries (and their alerts) record
        requests that were really sent, so they are added again and survive."""
        self.db.rollback()
        # Cached lookups may hold what the rolled-back turn wrote (phones are re-read).
        self.db.info.pop("phones", None)
        for record in self.db.info.pop(FORGOTTEN, ()):
            record.gone = False  # its delete was rolled back with the turn
        books, self.unsaved_books = self.unsaved_books, []
        for cls, fields in books:
            self.book(cls, fields)

    def book(self, cls: type[Base], fields: dict[str, Any]) -> Booked:
        """Add a journal entry or its alert. It is committed with whatever comes next (one
        commit per action, not one per webhook: commits are the engine's main cost)."""
        row = books.Booked(books.add(self.db, cls, fields), fields)
        self.unsaved_books.append((cls, fields))
        return row

    def forget_rows(self) -> None:
        """After rows were deleted in bulk (a world's reset): let go of every row and cached
        lookup; they are read again on demand."""
        self.db.expunge_all()
        self.rows.clear()
        self.db.info.clear()
