"""A new SQLite store is made from a schema script (store/schema_sqlite.sql), not by compiling
DDL (issue 11): the script must stay exactly what ``create_all`` makes from the models."""

import sqlite3

from twilio_conf_emulator.store.db import open_store
from twilio_conf_emulator.store.schema import (
    load_models,
    sqlite_schema,
    sqlite_schema_from_models,
)


def test_the_schema_script_is_what_create_all_makes_from_the_models():
    # When this fails, a model changed: python -m twilio_conf_emulator.store.schema
    assert sqlite_schema() == sqlite_schema_from_models()


def shape(path):
    """Every table's columns (name, type, not null, primary key) and every index's columns."""
    conn = sqlite3.connect(path)
    tables = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    out = {}
    for t in sorted(tables):
        cols = [(c[1], c[2], c[3], c[5]) for c in conn.execute(f"PRAGMA table_info({t})")]
        idx = sorted((i[1], i[2], tuple(c[2] for c in conn.execute(f"PRAGMA index_info({i[1]})")))
                     for i in conn.execute(f"PRAGMA index_list({t})"))
        out[t] = (cols, idx)
    conn.close()
    return out


def test_a_new_file_store_has_every_table_of_every_model(tmp_path):
    open_store(f"sqlite:///{tmp_path / 'new.db'}").close()
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'made.db'}")
    load_models().create_all(engine)
    engine.dispose()
    made = shape(str(tmp_path / "made.db"))
    assert shape(str(tmp_path / "new.db")) == made
    assert {"accounts", "participants", "scheduled_actions", "tr_tasks"} <= set(made)
