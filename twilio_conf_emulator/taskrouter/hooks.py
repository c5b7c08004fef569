"""The few calls that go back up the TaskRouter modules (a reservation ending offers the task
again; a new task is routed; a reservation sends its assignment callback), bound late so the
imports flow one way: ``matching`` and ``instructions`` register them, ``service`` imports
both, and the first call imports ``service`` if nobody has yet."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

_CALLS: dict[str, Callable[..., Any]] = {}


def register(name: str, fn: Callable[..., Any]) -> None:
    _CALLS[name] = fn


def call(name: str, *args: Any) -> Any:
    if name not in _CALLS:
        importlib.import_module("twilio_conf_emulator.taskrouter.service")
    return _CALLS[name](*args)


def offer(eng: Engine, ws_sid: str) -> None:
    """Schedule a matching pass for the workspace now (``matching.soon``)."""
    call("offer", eng, ws_sid)
