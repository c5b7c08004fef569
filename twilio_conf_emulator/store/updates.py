"""Changed columns of rows already in the store, written with one Core ``UPDATE`` per row.

Most of the engine's turns only change a few columns of rows that exist (a call's status, a
participant's status, a conference's ``date_updated``). The ORM's flush of those is a unit of
work (dependency sort, per-mapper passes, bookkeeping) costing far more than the statements;
it was the larger part of every action and REST write. ``write_changed_columns`` runs just
before a commit: when the turn added and deleted no rows, each modified row gets one
``UPDATE`` of the columns whose value changed (compared like the ORM compares them), and is
marked clean, so the commit's flush has nothing left to do. Anything else (new or deleted
rows, a changed relationship or primary key) is left to the ORM, whole.

The rows stay what the ORM believes: the same values in the same objects, in the same
transaction (a rollback expires them and reads the store again, as after an ORM flush).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy.orm import ColumnProperty, Session
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError

from .inserts import gains_only, insertable, write_new_rows
from .rows import sqlite_driver

_STATEMENTS: dict[Any, Any] = {}


def _statement(table: Any, pk: tuple[Any, ...]) -> Any:
    """UPDATE table WHERE pk = :pk_...; the SET clause is the other keys of the parameters."""
    stmt = _STATEMENTS.get(table)
    if stmt is None:
        stmt = _STATEMENTS[table] = update(table).where(
            and_(*(c == bindparam(f"pk_{c.key}") for c in pk)))
    return stmt


_COLUMNS: dict[Any, dict[str, tuple[str, Any]]] = {}


def _plain_columns(mapper: Any) -> dict[str, tuple[str, Any]]:
    """{attribute: (column key, the attribute's equality)} of a mapper's plain attributes:
    one column each, not the primary key (worked out once per mapper: this runs for every
    row every turn changes)."""
    found = _COLUMNS.get(mapper)
    if found is None:
        found = _COLUMNS[mapper] = {
            prop.key: (prop.columns[0].key, mapper.class_manager[prop.key].impl.is_equal)
            for prop in mapper.attrs
            if isinstance(prop, ColumnProperty) and len(prop.columns) == 1
            and not prop.columns[0].primary_key}
    return found


def _changes(state: Any, new: set[Any]) -> dict[str, Any] | None:
    """{column name: new value} of one modified row, or None if the ORM must write it
    (a collection that only gained rows of ``new`` needs no statement of its own)."""
    mapper = state.mapper
    if len(mapper.tables) != 1:
        return None
    plain = _plain_columns(mapper)
    values = state.dict
    changes = {}
    for key, old in state.committed_state.items():
        found = plain.get(key)
        if found is None:
            # A relationship that only gained new rows; else (a primary key, a column
            # property of several columns, anything else) the ORM writes the row.
            if new and not isinstance(mapper.attrs.get(key), ColumnProperty) \
                    and gains_only(state, key, new):
                continue
            return None
        value = values.get(key, NO_VALUE)
        if value is NO_VALUE:
            return None  # expired or deleted attribute: the ORM knows what to do
        if old is not NO_VALUE and found[1](value, old) is True:
            continue
        changes[found[0]] = value
    return changes


def write_changed_columns(db: Session) -> None:
    """Write the modified rows of ``db`` with Core UPDATEs and mark them clean (see the
    module docstring), after its new rows if they are of the plain shape ``store.inserts``
    writes; leave everything to the ORM when the turn deleted rows or did anything else."""
    identity_map = db.identity_map
    if db.deleted or not (identity_map._modified or db.new):  # noqa: SLF001 - cheap check
        return
    new = insertable(db) if db.new else set()
    if new is None:
        return
    planned = []
    for state in list(identity_map._modified):  # noqa: SLF001
        if state.key is None or state.obj() is None:
            return
        changes = _changes(state, new)
        if changes is None:
            return
        planned.append((state, state.key[1], changes))
    conn, driver = sqlite_driver(db)
    if new:
        if driver is None:
            return  # new rows on another database: the ORM's flush
        write_new_rows(db, driver, conn.dialect)
    for state, identity, changes in planned:
        if changes:
            mapper = state.mapper
            table: Any = mapper.local_table
            pk = tuple(mapper.primary_key)
            if driver is not None:
                sql, processors = _sqlite_update(table, pk, tuple(changes), conn.dialect)
                values = [*changes.values(), *identity]
                matched = driver.execute(sql, [v if p is None else p(v) for p, v
                                               in zip(processors, values, strict=True)]).rowcount
            else:
                for column, value in zip(pk, identity, strict=True):
                    changes[f"pk_{column.key}"] = value
                matched = conn.execute(_statement(table, pk), changes).rowcount
            if matched != 1:  # as the ORM's flush reports a row gone from under it
                raise StaleDataError(f"UPDATE of {table.name} {identity} "
                                     f"matched {matched} rows")
        state._commit_all(state.dict, identity_map)  # noqa: SLF001 - what a flush does after


_SQLITE: dict[tuple[Any, tuple[str, ...]], tuple[str, list[Any]]] = {}


def _sqlite_update(table: Any, pk: tuple[Any, ...], keys: tuple[str, ...],
                   dialect: Any) -> tuple[str, list[Any]]:
    """``UPDATE t SET a = ?, ... WHERE pk = ?`` for SQLite's DBAPI connection (as
    ``store.rows`` writes its rows), and each parameter's bind processor."""
    found = _SQLITE.get((table, keys))
    if found is None:
        columns = [table.c[k] for k in keys]
        sets = ", ".join(f'"{c.name}" = ?' for c in columns)
        where = " AND ".join(f'"{c.name}" = ?' for c in pk)
        found = _SQLITE[(table, keys)] = (
            f'UPDATE "{table.name}" SET {sets} WHERE {where}',
            [c.type.bind_processor(dialect) for c in (*columns, *pk)])
    return found
