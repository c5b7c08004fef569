"""Fixtures for the project's own tests (users get theirs from the pytest plugin)."""

import json
import os

import numpy  # noqa: F401  (see below)
import pytest

# The package imports numpy only when audio is first needed, but pytester's in-process runs
# restore sys.modules after each run, and numpy's C core cannot be loaded twice in one process:
# importing it here keeps it in every snapshot (the 3.12 smoke runs such a test first).

# Every scheduled action must be a stored record (README "Restart"): a closure given to the
# scheduler fails the test that schedules it (serve processes the tests start inherit it).
os.environ.setdefault("TWILIO_EMULATOR_REQUIRE_STORED_ACTIONS", "1")

from twilio_conf_emulator import Emulator  # noqa: E402
from twilio_conf_emulator.config import EmulatorConfig  # noqa: E402

# Trimmed copies of Twilio's OpenAPI and twilio-python's examples, vendored by
# scripts/vendor_openapi.py (see twilio_oai/SOURCE.md): the suite never needs ../shared.
VENDORED = os.path.join(os.path.dirname(__file__), "twilio_oai")
OPENAPI_PATH = os.path.join(VENDORED, "twilio_api_v2010_conference.json")
SERVED_PATH = os.path.join(VENDORED, "twilio_api_v2010_served.json")
EXAMPLES_PATH = os.path.join(VENDORED, "twilio_python_examples.json")


def _vendored(path):
    # A missing spec must fail CI loudly, never skip the checks that read it.
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run scripts/vendor_openapi.py (it reads ../shared)",
                    pytrace=False)
    with open(path) as fh:
        return json.load(fh)


@pytest.fixture
def emu():
    """A fresh emulator, manual clock; scheduled actions that fail raise instead of alerting."""
    e = Emulator(config=EmulatorConfig(strict_actions=True))
    yield e
    e.stop()


@pytest.fixture
def client(emu):
    return emu.client


@pytest.fixture(scope="session")
def openapi_spec():
    from openapi_extract import build

    return build(_vendored(OPENAPI_PATH), _vendored(SERVED_PATH))


@pytest.fixture(scope="session")
def served_spec():
    """The paths of Twilio's whole 2010 spec that the emulator serves."""
    return _vendored(SERVED_PATH)


@pytest.fixture(scope="session")
def twilio_examples():
    return _vendored(EXAMPLES_PATH)


from store_backends import postgres_server, store_url  # noqa: E402,F401  (fixtures)
