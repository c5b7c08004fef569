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


def _columns(mapper: Any, dialect: Any) -> Any:
    """[(attribute key, column, bind processor, default)], and the row-id key, per mapper."""
    found = _PLANS.get((mapper, dialect))
    if found is None:
        table = mapper.local_table
        cols, rowid_key = [], None
        for column in table.columns:
            key = mapper.get_property_by_column(column).key
            if column is table.autoincrement_column:  # SQLite's row id
                rowid_key = key
            default = column.default
            if default is not None and not (default.is_scalar or default.is_callable):
                return None
            cols.append((key, column, column.type.bind_processor(dialect), default))
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
        for local, remote in prop.local_remote_pairs:
            mine = state.dict.get(state.mapper.get_property_by_column(local).key)
            theirs = other.dict.get(other.mapper.get_property_by_column(remote).key)
            if mine is None or mine != theirs:
                return False
    return True


def gains_only(state: Any, key: str, new: set[Any]) -> bool:
    """A parent's collection ``key`` only gained rows of ``new`` (keys already copied)."""
    prop = state.mapper.attrs.get(key)
    if prop is None or getattr(prop, "direction", None) is not ONETOMANY:
        return False
    history = state.manager[key].impl.get_history(state, state.dict, PASSIVE_NO_INITIALIZE)
    if history.deleted:
        return False
    for child in history.added:
        child_state = inspect(child)
        if child_state not in new:
            return False
        for local, remote in prop.local_remote_pairs:
            mine = state.dict.get(state.mapper.get_property_by_column(local).key)
            theirs = child_state.dict.get(child_state.mapper.get_property_by_column(remote).key)
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
                or not _references_stored(state, new):
            return None
    return new


def write_new_rows(db: Session, driver: Any, dialect: Any) -> None:
    """INSERT every new row of ``db`` (all of the plain shape: :func:`insertable`) on the
    SQLite DBAPI connection ``driver``, in the order they were added, and make them
    persistent as a flush does."""
    states = [inspect(obj) for obj in db.new]
    for state in states:
        plan = _columns(state.mapper, dialect)
        if plan is None:
            raise RuntimeError("insertable() lets only plain rows through")
        cols, rowid_key = plan
        names, values = [], []
        for key, column, process, default in cols:
            if key in state.dict:
                value = state.dict[key]
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
