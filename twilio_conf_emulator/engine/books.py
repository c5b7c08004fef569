"""Append-only rows (journal entries, alerts, media events) written with one Core ``INSERT``.

These rows are never changed by the engine's rules once written (a reader-side fault sets
the error code of the entry being answered, one ``UPDATE``), so going through the ORM unit of
work (identity map, dirty tracking, a flush that sorts every pending object) buys nothing and
was most of the engine's cost per action. The statements run on the session's own
connection inside its open transaction: a rollback removes them like any other change, and
ids are given in call order, the order the ORM used to flush them in.
"""

from sqlalchemy import update

from ..store import rows


class Booked:
    """What the engine keeps of a journal entry it wrote: its id and its fields."""

    __slots__ = ("id", "fields")

    def __init__(self, row_id, fields):
        self.id = row_id
        self.fields = fields

    def __getattr__(self, name):
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None


def add(db, cls, fields):
    """Insert one row of ``cls`` now (``store.rows``); return its primary key."""
    return rows.insert_row(db, cls.__table__, fields)


def set_error(db, cls, booked, code, message):
    """Record ``code`` on a booked entry (in the row and in what the engine keeps)."""
    booked.fields["error_code"], booked.fields["error_message"] = code, message
    db.connection().execute(update(cls.__table__).where(cls.__table__.c.id == booked.id)
                            .values(error_code=code, error_message=message))
