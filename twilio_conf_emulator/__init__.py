"""A stateful, deterministic local emulator of the Twilio Programmable Voice Conference API."""

from .version import __version__

__all__ = ["__version__", "Emulator"]


def __getattr__(name):
    # Lazy so that importing the package (e.g. by the pytest plugin) stays cheap.
    if name == "Emulator":
        from .emulator import Emulator

        return Emulator
    raise AttributeError(name)
