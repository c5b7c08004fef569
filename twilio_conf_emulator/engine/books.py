"""Append-only rows (journal entries, alerts, media events) written with one Core ``INSERT``.

These rows are never changed by the engine's rules once written (a reader-side fault sets
the error code of the entry being answered, one ``UPDATE``), so going through the ORM unit of
work (identity map, dirty tracking, a flush that sorts every pending object) buys nothing and
was most of the engine's cost per action. The statements run on the session's own
connection inside its open transaction: a rollback removes them like any other change, and
ids are given in call order, the order the ORM used to flush them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import update

from ..store import rows

if TYPE_CHECKING:  # annotations only
    from collections.abc import Mapping

    from sqlalchemy import Table
    from sqlalchemy.orm import Session

    from ..store.models import Base


class Booked:
    """What the engine keeps of a journal entry it wrote: its id and its fields."""

    __slots__ = ("id", "fields")

    def __init__(self, row_id: int, fields: dict[str, Any]) -> None:
        self.id = row_id
        self.fields = fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None


def add(db: Session, cls: type[Base], fields: Mapping[str, Any]) -> int:
    """Insert one row of ``cls`` now (``store.rows``); return its primary key."""
    return rows.insert_row(db, cast("Table", cls.__table__), dict(fields))


def set_error(db: Session, cls: type[Base], booked: Booked, code: int, message: str) -> None:
    """Record ``code`` on a booked entry (in the row and in what the engine keeps)."""
    booked.fields["error_code"], booked.fields["error_message"] = code, message
    table = cast("Table", cls.__table__)  # a mapped class of one table
    db.connection().execute(update(table).where(table.c.id == booked.id)
                            .values(error_code=code, error_message=message))
