"""pytest fixtures for twilio-conf-emulator (registered through the ``pytest11`` entry point,
so they exist as soon as the package is installed; no conftest needed).

- ``twilio_emulator``: a fresh in-process :class:`~twilio_conf_emulator.Emulator` per test
  (manual clock, in-memory store). With ``--twilio-emulator-url URL`` (or the environment
  variable ``TWILIO_EMULATOR_URL``) it is a
  :class:`~twilio_conf_emulator.remote.RemoteEmulator` for that running server instead,
  reset before each test; both have ``.client``, ``.advance``, ``.phone``, ``.webhooks``,
  ``.reset()`` and ``.create_account()``.
- ``twilio_client``: its twilio-python ``Client``.

    def test_two_people_meet(twilio_emulator, twilio_client):
        twilio_client.conferences("Room").participants.create(from_="+15550000001",
                                                              to="+15550000002")
        twilio_emulator.advance(5)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from .faces import EmulatorFace

URL_ENV = "TWILIO_EMULATOR_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("twilio-conf-emulator")
    group.addoption(
        "--twilio-emulator-url", action="store", default=None, metavar="URL",
        help="Use the twilio-conf-emulator server at URL for the twilio_emulator fixture "
             f"instead of an in-process one (also ${URL_ENV}).")


def emulator_url(config: pytest.Config) -> str | None:
    """The server URL from ``--twilio-emulator-url`` or ``$TWILIO_EMULATOR_URL`` (None: in-process)."""
    url = config.getoption("twilio_emulator_url", default=None) or os.environ.get(URL_ENV)
    return str(url) if url else None


@pytest.fixture
def twilio_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorFace]:
    """A fresh emulator for this test: in-process, or a reset running server."""
    url = emulator_url(request.config)
    emu: EmulatorFace
    if url:
        from .remote import RemoteEmulator

        emu = RemoteEmulator(url)
        emu.reset()
    else:
        from .emulator import Emulator

        emu = Emulator(clock="manual")
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def twilio_client(twilio_emulator: EmulatorFace) -> Any:
    """A twilio-python ``Client`` wired to ``twilio_emulator``."""
    return twilio_emulator.client
