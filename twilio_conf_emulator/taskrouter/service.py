"""TaskRouter wired into one emulator: the leg purposes it adds to ``Engine(purposes=...)``,
and (by importing ``matching`` and ``instructions``) the late-bound calls of ``hooks``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import instructions, matching  # noqa: F401 - they register their hooks
from .conference import PURPOSE, WorkerLeg

if TYPE_CHECKING:  # annotations only
    from ..engine.core import LegPurpose


def purposes() -> dict[str, LegPurpose]:
    """``{purpose: LegPurpose}``: the worker's leg of a ``conference`` instruction (the
    queued caller's purpose belongs to the voice engine's ``<Enqueue>``)."""
    return {PURPOSE: WorkerLeg()}
