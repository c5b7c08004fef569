"""Checked by mypy (``tox -e lint``), never run: both emulator faces keep the one contract."""

from twilio_conf_emulator.emulator import Emulator
from twilio_conf_emulator.faces import EmulatorFace
from twilio_conf_emulator.remote import RemoteEmulator


def in_process(emulator: Emulator) -> EmulatorFace:
    return emulator


def remote(emulator: RemoteEmulator) -> EmulatorFace:
    return emulator
