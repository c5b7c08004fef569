"""The store's schema: which modules map its tables, and the SQLite schema as SQL text.

- ``load_models()`` imports every module that maps a table. TaskRouter's models are otherwise
  loaded on its first use, so anything that works on the whole schema (``create_all``, adding
  the columns an older store lacks) loads them first.
- ``sqlite_schema()`` is what ``create_all`` makes on SQLite, as the CREATE statements SQLite
  itself keeps, in ``schema_sqlite.sql`` beside this module (written by
  ``python -m twilio_conf_emulator.store.schema``; a test holds it equal to ``create_all``). A
  new SQLite store, a file or in memory, runs it: no DDL compiled and no table checked, and
  the column objects keep none of the per-dialect options compiling DDL leaves on them (about
  0.4 MB of an idle server, issue 11).
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys

from sqlalchemy import MetaData

MODEL_MODULES = ("twilio_conf_emulator.store.models", "twilio_conf_emulator.store.inflight",
                 "twilio_conf_emulator.taskrouter.models")
SQLITE_SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema_sqlite.sql")

_sqlite_schema: str | None = None


def load_models() -> MetaData:
    """Every table's model loaded; the metadata that holds them all."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    from .models import Base

    return Base.metadata


def sqlite_schema() -> str:
    """The SQL script that makes every table and index of a new SQLite store."""
    global _sqlite_schema
    if _sqlite_schema is None:
        with open(SQLITE_SCHEMA_FILE, encoding="utf-8") as fh:
            _sqlite_schema = fh.read()
    return _sqlite_schema


def sqlite_schema_from_models() -> str:
    """``create_all``'s schema on SQLite, as SQLite keeps it, one statement a line: each table,
    then its indexes by name (``create_all`` makes a table's indexes in set order)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    conn = sqlite3.connect(":memory:")
    load_models().create_all(create_engine("sqlite://", creator=lambda: conn,
                                           poolclass=StaticPool))
    rows = list(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS "
                             "NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"))
    lines = []
    for kind, name, _, sql in rows:
        if kind == "table":
            lines.append(sql)
            lines += [i_sql for _, _, _, i_sql in sorted(
                r for r in rows if r[0] == "index" and r[2] == name)]
    return "".join(" ".join(sql.split()) + ";\n" for sql in lines)


if __name__ == "__main__":  # python -m twilio_conf_emulator.store.schema: write the file again
    with open(SQLITE_SCHEMA_FILE, "w", encoding="utf-8") as out:
        out.write(sqlite_schema_from_models())
    print(f"wrote {SQLITE_SCHEMA_FILE}", file=sys.stderr)
