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

from sqlalchemy import Integer, insert, update

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


_INSERTS: dict[type[Base], Any] = {}  # table class: its INSERT statement
# (class, field names, dialect) -> (SQL, bind processors), or None: Core's INSERT
_RAW: dict[tuple[type[Base], tuple[str, ...], str], Any] = {}


def _raw_insert(table: Table, keys: tuple[str, ...], dialect: Any) -> Any:
    """SQLite's own INSERT for these fields when nothing else is needed (every column with a
    default is given, the key is the integer row id): a fifth of Core's execution path."""
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        return None
    pk = list(table.primary_key)
    if len(pk) != 1 or pk[0].name in keys or not isinstance(pk[0].type, Integer):
        return None
    cols = {c.name: c for c in table.columns}
    if any(k not in cols for k in keys):
        return None
    if any((c.default is not None or c.server_default is not None) and c.name not in keys
           for c in table.columns if c is not pk[0]):
        return None
    prep = dialect.identifier_preparer
    sql = (f"INSERT INTO {prep.format_table(table)} ("
           + ", ".join(prep.quote(k) for k in keys) + ") VALUES ("
           + ", ".join("?" for _ in keys) + ")")
    return sql, [cols[k].type.bind_processor(dialect) for k in keys]


def add(db: Session, cls: type[Base], fields: Mapping[str, Any]) -> int:
    """Insert one row of ``cls`` now; return its primary key."""
    conn = db.connection()
    key = (cls, tuple(fields), conn.dialect.name)  # one process may hold SQLite and others
    raw = _RAW.get(key, False)
    if raw is False:
        raw = _RAW[key] = _raw_insert(cast("Table", cls.__table__), key[1], conn.dialect)
    if raw is not None:
        sql, procs = raw
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, [v if proc is None else proc(v)
                                 for v, proc in zip(fields.values(), procs, strict=True)])
            return cursor.lastrowid
        finally:
            cursor.close()
    stmt = _INSERTS.get(cls)
    if stmt is None:
        stmt = _INSERTS[cls] = insert(cast("Table", cls.__table__))
    return conn.execute(stmt, fields).inserted_primary_key[0]  # type: ignore[index]  # an INSERT: a key


def set_error(db: Session, cls: type[Base], booked: Booked, code: int, message: str) -> None:
    """Record ``code`` on a booked entry (in the row and in what the engine keeps)."""
    booked.fields["error_code"], booked.fields["error_message"] = code, message
    table = cast("Table", cls.__table__)  # a mapped class of one table
    db.connection().execute(update(table).where(table.c.id == booked.id)
                            .values(error_code=code, error_message=message))
