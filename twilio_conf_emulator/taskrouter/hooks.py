"""The few calls that go back up the TaskRouter modules (a reservation ending offers the task
again; a new task is routed; a reservation sends its assignment callback), bound late so the
imports flow one way: ``matching`` and ``instructions`` register them, ``service`` imports
both, and the first call imports ``service`` if nobody has yet."""

import importlib
from collections.abc import Callable
from typing import Any

_CALLS: dict[str, Callable[..., Any]] = {}


def register(name, fn):
    _CALLS[name] = fn


def call(name, *args):
    if name not in _CALLS:
        importlib.import_module("twilio_conf_emulator.taskrouter.service")
    return _CALLS[name](*args)


def offer(eng, ws_sid):
    """Schedule a matching pass for the workspace now (``matching.soon``)."""
    call("offer", eng, ws_sid)
