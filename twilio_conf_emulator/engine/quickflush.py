"""Committing changed columns of rows already stored with one plain ``UPDATE`` each.

A REST update or an engine action mostly changes a few columns of a row or two that are
already in the store (a participant's hold, a call's status). The ORM's flush for that sorts
dependencies, builds its action graph and runs a statement through the full execution path:
most of a hold toggle's server-side time. When the session holds nothing new or deleted
and every change is to a plain column of a persistent row, the UPDATEs go straight to the
SQLite cursor (statements built once per table and column set, values through the columns'
own bind processors) and the rows are marked clean, as the ORM's flush would leave them.
Anything else (new rows, deletes, relationship or key changes, another database) takes the
ORM's flush unchanged. A failed commit rolls the session back, which expires every row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import ColumnProperty
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError

# (mapper, column keys) -> (SQL, the columns' bind processors, the key's processors);
# SQLite's only (flush_columns leaves every other database to the ORM)
_STATEMENTS: dict[Any, Any] = {}


def _statement(mapper: Any, keys: tuple[str, ...], dialect: Any) -> Any:
    found = _STATEMENTS.get((mapper, keys))
    if found is None:
        prep = dialect.identifier_preparer
        table = mapper.local_table
        cols = [mapper.attrs[k].columns[0] for k in keys]
        pk = list(mapper.primary_key)
        sql = (f"UPDATE {prep.format_table(table)} SET "
               + ", ".join(f"{prep.quote(c.name)}=?" for c in cols)
               + " WHERE " + " AND ".join(f"{prep.quote(c.name)}=?" for c in pk))
        found = _STATEMENTS[(mapper, keys)] = (
            sql, [c.type.bind_processor(dialect) for c in cols],
            [c.type.bind_processor(dialect) for c in pk])
    return found


def _plan(db: Any) -> list[Any] | None:
    """``[(state, keys), ...]`` for the changed rows, or None if the ORM must flush."""
    plan = []
    for state in db._dirty_states:
        mapper = state.mapper
        if state.key is None or mapper.inherits is not None or state.deleted:
            return None
        props = mapper.attrs
        keys = []
        for key, old in state.committed_state.items():
            prop = props.get(key)
            if (not isinstance(prop, ColumnProperty) or len(prop.columns) != 1
                    or prop.columns[0].primary_key or prop.columns[0].table is not mapper.local_table):
                return None
            new = state.dict.get(key, NO_VALUE)
            if new is NO_VALUE:
                return None
            if old is NO_VALUE or not state.manager[key].impl.is_equal(new, old):
                keys.append(key)
        if keys:
            plan.append((state, tuple(sorted(keys))))
    return plan


def flush_columns(db: Any) -> bool:
    """Write what ``db`` has to flush if it is only column changes of stored rows (True:
    done, the ORM's flush finds nothing); False: left for the ORM's flush."""
    if not db.identity_map._modified:
        return True
    if db._new or db._deleted:
        return False
    bind = db.get_bind()
    dialect = bind.dialect
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        return False
    plan = _plan(db)
    if plan is None:
        return False
    if plan:
        cursor = db.connection().connection.cursor()
        try:
            for state, keys in plan:
                sql, procs, pk_procs = _statement(state.mapper, keys, dialect)
                values = [state.dict[k] for k in keys] + list(state.key[1])
                for i, proc in enumerate(procs + pk_procs):
                    if proc is not None:  # as the ORM does, None included (JSON null)
                        values[i] = proc(values[i])
                cursor.execute(sql, values)
                if cursor.rowcount != 1:
                    raise StaleDataError(f"UPDATE of {state.mapper.local_table.name} "
                                         f"{state.key[1]} matched {cursor.rowcount} rows")
        finally:
            cursor.close()
    for state in list(db._dirty_states):
        state._commit_all(state.dict, db.identity_map)
    return True
