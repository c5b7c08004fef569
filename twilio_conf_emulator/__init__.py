"""A stateful, deterministic local emulator of the Twilio Programmable Voice Conference API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .version import __version__

if TYPE_CHECKING:  # annotations only
    from .emulator import Emulator

__all__ = ["__version__", "Emulator"]


def __getattr__(name: str) -> type[Emulator]:
    # Lazy so that importing the package (e.g. by the pytest plugin) stays cheap.
    if name == "Emulator":
        from .emulator import Emulator

        return Emulator
    raise AttributeError(name)
