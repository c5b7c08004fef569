"""The stores the store and restart tests run on: a SQLite file and a PostgreSQL database.

PostgreSQL comes from TWILIO_EMULATOR_TEST_POSTGRES_URL (``.ci/run`` exports it after
``source .ci/postgres.sh``); without it, a throwaway server is started with that same script
for the session. Never skipped: if no PostgreSQL can be had, the tests fail and say why.
"""

import itertools
import os
import subprocess

import pytest

ENV = "TWILIO_EMULATOR_TEST_POSTGRES_URL"
SCRIPT = os.path.join(os.path.dirname(__file__), "..", ".ci", "postgres.sh")
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server():
    url = os.environ.get(ENV)
    if url:
        yield url
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {ENV} is not set: .ci/run must 'source .ci/postgres.sh'")
    # The script's trap stops the server when bash exits: when we close its stdin.
    proc = subprocess.Popen(
        ["bash", "-c", f'source "{SCRIPT}" && echo "${ENV}" && read -r _'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("postgresql://"):
        proc.kill()
        pytest.fail(f"cannot start a throwaway PostgreSQL: {proc.stderr.read()[-2000:]}")
    try:
        yield line
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


def fresh_postgres_database(server_url):
    """A new, empty database on the server: its URL."""
    import psycopg

    name = f"t{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store on each backend (a file, or a database), as a URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_server"))
