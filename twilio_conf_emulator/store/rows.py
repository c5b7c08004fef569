"""Append-only rows (journal, alerts, media events, stored actions and requests) inserted and
deleted by id, as cheaply as the database allows.

Every webhook and action writes a few of these and nothing reads them back while the
process lives, so even Core's per-statement work (cache key, compiled-parameter setup,
result object) was a visible share of an action. On SQLite the statements go straight to
the DBAPI connection under the session's open transaction (the same connection, so a
rollback removes them like anything else), with every value converted by its column's own
bind processor and Python-side defaults applied as Core applies them: the stored bytes are
the same as ``insert(table)`` would write. Other databases take the Core statement.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, delete, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

_PLANS: dict[tuple[Table, Any], tuple[str, str, list[tuple[str, Any, Any]]]] = {}
_CORE: dict[Table, tuple[Any, Any]] = {}


def _plan(table: Table, dialect: Any) -> tuple[str, str, list[tuple[str, Any, Any]]]:
    key = (table, dialect)
    plan = _PLANS.get(key)
    if plan is None:
        columns = [c for c in table.columns if not (c.primary_key and c.autoincrement)]
        names = ", ".join(f'"{c.name}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        pk = next(iter(table.primary_key.columns))
        converters = []
        for c in columns:
            default: Any = None  # no Python-side default: left out, so NULL
            given: Any = c.default
            if given is not None and given.is_scalar:
                default = (given.arg,)
            elif given is not None and given.is_callable:
                default = given.arg  # wrapped by SQLAlchemy: takes the context
            converters.append((c.key, c.type.bind_processor(dialect), default))
        plan = _PLANS[key] = (f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
                              f'DELETE FROM "{table.name}" WHERE "{pk.name}" = ?', converters)
    return plan


def _core(table: Table) -> tuple[Any, Any]:
    found = _CORE.get(table)
    if found is None:
        pk = next(iter(table.primary_key.columns))
        found = _CORE[table] = (insert(table), delete(table).where(pk == bindparam("row_id")))
    return found


def _value(fields: dict[str, Any], key: str, process: Any, default: Any) -> Any:
    if key in fields:
        value = fields[key]
    elif default is None:
        return None  # left out of Core's INSERT: the column's NULL, not a processed None
    elif isinstance(default, tuple):
        value = default[0]
    else:
        value = default(None)
    return process(value) if process is not None else value


def sqlite_driver(db: Session) -> tuple[Connection, Any]:
    """The session's connection in its current transaction, and its DBAPI connection if
    that is SQLite (else None). ``Session.connection()`` costs more than a SQLite statement,
    so the answer is kept for as long as the session's transaction lasts."""
    tx = db.get_transaction()
    known = db.info.get("_rows_driver")
    if tx is not None and known is not None and known[0] is tx:
        return known[1], known[2]
    conn = db.connection()
    driver = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
    db.info["_rows_driver"] = (db.get_transaction(), conn, driver)
    return conn, driver


def insert_row(db: Session, table: Table, fields: dict[str, Any]) -> int:
    """Insert one row of ``table`` now (``fields`` by column key); return its id."""
    conn, driver = sqlite_driver(db)
    if driver is None:
        key: Any = conn.execute(_core(table)[0], fields).inserted_primary_key
        return key[0]
    sql, _, converters = _plan(table, conn.dialect)
    values = [_value(fields, key, process, default) for key, process, default in converters]
    return driver.execute(sql, values).lastrowid


def delete_row(db: Session, table: Table, row_id: int) -> None:
    """Delete the row ``row_id`` of ``table`` (nothing if it is gone)."""
    conn, driver = sqlite_driver(db)
    if driver is None:
        conn.execute(_core(table)[1], {"row_id": row_id})
        return
    driver.execute(_plan(table, conn.dialect)[1], (row_id,))


def commit_written(db: Session) -> bool:
    """Commit what the turn wrote straight to SQLite, if that is all it did: nothing left for
    the ORM to flush (``store.updates`` wrote the changed columns) and no row added or
    deleted through it in the session's transaction. Then the DBAPI connection commits and
    the session's transaction simply goes on (with ``expire_on_commit=False`` a
    ``Session.commit`` changes no object either; it was a tenth of a millisecond of
    bookkeeping per action). A later rollback rolls back to this commit, as it would to a
    ``Session.commit``. False when ``Session.commit`` must do it."""
    tx = db.get_transaction()
    if tx is None:
        return False
    known = db.info.get("_rows_driver")
    if (known is None or known[0] is not tx or known[2] is None or tx.nested
            or db.identity_map._modified or db.new or db.deleted  # noqa: SLF001
            or tx._new or tx._deleted or tx._key_switches):  # noqa: SLF001
        return False
    known[2].commit()
    return True
