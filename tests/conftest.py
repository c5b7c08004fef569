"""Fixtures for the project's own tests (users get theirs from the pytest plugin)."""

import json
import os

import pytest

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared")
OPENAPI_PATH = os.path.join(SHARED, "twilio-oai", "twilio_api_v2010_conference.json")
EXAMPLES_PATH = os.path.join(SHARED, "reference", "twilio-python-examples.json")


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
    if not os.path.exists(OPENAPI_PATH):
        pytest.skip("../shared/twilio-oai is absent: Twilio's OpenAPI cannot be read here")
    with open(OPENAPI_PATH) as fh:
        return json.load(fh)


@pytest.fixture(scope="session")
def twilio_examples():
    if not os.path.exists(EXAMPLES_PATH):
        pytest.skip("../shared/reference is absent: Twilio's example bodies cannot be read here")
    with open(EXAMPLES_PATH) as fh:
        return json.load(fh)


from store_backends import postgres_server, store_url  # noqa: E402,F401  (fixtures)
