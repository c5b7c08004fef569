"""New rows of a turn written with plain SQLite INSERTs, as ``store.updates`` writes changed
columns: a REST create adds a Call and a Participant, and the ORM's flush of two rows (its
dependency sort and per-mapper passes) was most of a create's cost.

Only the plain shape is taken: single-table rows whose many-to-one references point at rows
already stored with the keys already set, no collections of their own, and parents whose
only relationship change is gaining some of these new rows. The values are the ORM's: the
attributes set, else the column's Python default (kept in the row as the ORM keeps it), an
integer key from SQLite's row id; then the rows become persistent exactly as a flush leaves
them (``Session._register_persistent``: identity map, events). Anything else goes to the
ORM's flush, whole.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY

_PLANS: dict[Any, Any] = {}


def _plain_columns(mapper: Any) -> bool:
    """Every column a plain value or a Python default (no server-side default or SQL
    expression the ORM would fetch back after the INSERT)."""
    for column in mapper.local_table.columns:
        default = column.default
        if column.server_default is not None or (
                default is not None and not (default.is_scalar or default.is_callable)):
            return False
    return True


def _columns(mapper: Any, dialect: Any) -> Any:
    """[(attribute key, column, bind processor, default, None is a value)], and the row-id
    key, per mapper."""
    found = _PLANS.get((mapper, dialect))
    if found is None:
        table = mapper.local_table
        cols, rowid_key = [], None
        for column in table.columns:
            key = mapper.get_property_by_column(column).key
            if column is table.autoincrement_column:  # SQLite's row id
                rowid_key = key
            cols.append((key, column, column.type.bind_processor(dialect), column.default,
                         column.type.should_evaluate_none))
        found = _PLANS[(mapper, dialect)] = (cols, rowid_key)
    return found


def _references_stored(state: Any, new: set[Any]) -> bool:
    """Its many-to-one references point at stored rows with the keys already copied."""
    for prop in state.mapper.relationships:
        value = state.dict.get(prop.key)
        if prop.direction is not MANYTOONE:
            if value:
                return False  # a new row with a collection: the ORM orders that
            continue
        if value is None:
            continue
        other = inspect(value)
        if other in new or other.key is None:
            return False
        if not _keys_copied(state, other, prop):
            return False
    return True


def gains_only(state: Any, key: str, new: set[Any]) -> bool:
    """A parent's collection ``key`` only gained rows of ``new`` (keys already copied)."""
    prop = state.mapper.attrs.get(key)
    if prop is None or getattr(prop, "direction", None) is not ONETOMANY:
        return False
    added = _added(state, key)
    if added is None:
        return False
    for child in added:
        child_state = inspect(child)
        if child_state not in new:
            return False
        if not _keys_copied(state, child_state, prop):
            return False
    return True


def _added(state: Any, key: str) -> list[Any] | None:
    """The rows collection ``key`` of ``state`` gained, or None if it lost any.

    A collection that only had rows appended (a create joins a conference of 250) is its
    committed copy followed by the new rows: compared in one C-level list comparison
    (identity first) instead of the ORM's history, which maps every row to its state twice."""
    original = state.committed_state.get(key)
    current = state.dict.get(key)
    if type(original) is list and current is not None:
        n = len(original)
        if len(current) >= n and current[:n] == original:
            return current[n:]
    history = state.manager[key].impl.get_history(state, state.dict, PASSIVE_NO_INITIALIZE)
    return None if history.deleted else list(history.added)


def _keys_copied(state: Any, other: Any, prop: Any) -> bool:
    """Each column pair of relationship ``prop`` already holds the same non-null key on
    ``state`` (its local side) and ``other`` (its remote side)."""
    for local, remote in prop.local_remote_pairs:
        mine = state.dict.get(state.mapper.get_property_by_column(local).key)
        theirs = other.dict.get(other.mapper.get_property_by_column(remote).key)
        if mine is None or mine != theirs:
            return False
    return True


def insertable(db: Session) -> set[Any] | None:
    """The states of ``db``'s new rows if every one is of the plain shape, else None."""
    states = [inspect(obj) for obj in db.new]
    new = set(states)
    for state in states:
        mapper = state.mapper
        if len(mapper.tables) != 1 or mapper.inherits is not None \
                or not _plain_columns(mapper) or not _references_stored(state, new):
            return None
    return new


def write_new_rows(db: Session, driver: Any, dialect: Any) -> None:
    """INSERT every new row of ``db`` (all of the plain shape: :func:`insertable`) on the
    SQLite DBAPI connection ``driver``, in the order they were added, and make them
    persistent as a flush does."""
    states = [inspect(obj) for obj in db.new]
    for state in states:
        cols, rowid_key = _columns(state.mapper, dialect)
        names, values = [], []
        for key, column, process, default, none_is_value in cols:
            # As the ORM's flush: a None is left out (NULL, or the default) unless the type
            # stores it (JSON's null); an attribute never set is left out too.
            value = state.dict.get(key)
            if value is not None or (none_is_value and key in state.dict):
                pass
            elif default is not None:
                value = default.arg if default.is_scalar else default.arg(None)
                state.dict[key] = value  # as the ORM keeps a default it applied
            else:
                continue  # left out: NULL, or the row id
            names.append(f'"{column.name}"')
            values.append(value if process is None else process(value))
        table = state.mapper.local_table
        sql = (f'INSERT INTO "{table.name}" ({", ".join(names)}) '
               f'VALUES ({", ".join("?" for _ in names)})')
        cursor = driver.execute(sql, values)
        if rowid_key is not None and state.dict.get(rowid_key) is None:
            state.dict[rowid_key] = cursor.lastrowid
    db._register_persistent(set(states))  # noqa: SLF001 - what a flush does with them
