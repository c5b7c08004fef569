"""pytest fixtures for twilio-conf-emulator (registered through the ``pytest11`` entry point,
so they exist as soon as the package is installed; no conftest needed).

- ``twilio_emulator``: a fresh in-process :class:`~twilio_conf_emulator.Emulator` per test
  (manual clock, in-memory store). With ``--twilio-emulator-url URL`` (or the environment
  variable ``TWILIO_EMULATOR_URL``) it is a
  :class:`~twilio_conf_emulator.remote.RemoteEmulator` for that running server instead, on
  a fresh account made for this test (a new world: its own clock, SIDs, journal), so many
  workers (``pytest -n 4``, several CI jobs) share one server safely; beyond loopback the
  server wants ``--twilio-emulator-admin-token`` (or ``TWILIO_EMULATOR_ADMIN_TOKEN``).  Both
  have ``.client``, ``.advance``, ``.phone``, ``.webhooks``, ``.reset()`` and
  ``.create_account()``.
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
ADMIN_ENV = "TWILIO_EMULATOR_ADMIN_TOKEN"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("twilio-conf-emulator")
    group.addoption(
        "--twilio-emulator-url", action="store", default=None, metavar="URL",
        help="Use the twilio-conf-emulator server at URL for the twilio_emulator fixture "
             f"instead of an in-process one (also ${URL_ENV}).")
    group.addoption(
        "--twilio-emulator-admin-token", action="store", default=None, metavar="TOKEN",
        help="The server's admin token, for making each test's account on a server bound "
             f"beyond loopback (also ${ADMIN_ENV}).")


def emulator_url(config: pytest.Config) -> str | None:
    """The server URL from ``--twilio-emulator-url`` or ``$TWILIO_EMULATOR_URL`` (None: in-process)."""
    url = config.getoption("twilio_emulator_url", default=None) or os.environ.get(URL_ENV)
    return str(url) if url else None


@pytest.fixture
def twilio_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorFace]:
    """A fresh emulator for this test: in-process, or a new account (world) on a running
    server, closed after the test."""
    url = emulator_url(request.config)
    emu: EmulatorFace
    remote = None
    if url:
        from .remote import RemoteEmulator

        admin = (request.config.getoption("twilio_emulator_admin_token", default=None)
                 or os.environ.get(ADMIN_ENV) or None)
        server = RemoteEmulator(url, admin_token=admin)
        try:
            sid, token = server.create_account()
        finally:
            server.stop()
        emu = remote = server.world(sid, token)
    else:
        from .emulator import Emulator

        emu = Emulator(clock="manual")
    try:
        yield emu
    finally:
        try:
            if remote is not None:
                remote.close_account()  # the shared server does not grow test after test
        finally:
            emu.stop()


@pytest.fixture
def twilio_client(twilio_emulator: EmulatorFace) -> Any:
    """A twilio-python ``Client`` wired to ``twilio_emulator``."""
    return twilio_emulator.client
