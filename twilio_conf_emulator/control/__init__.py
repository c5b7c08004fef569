"""The /_emulator/* back door: clock, phones, callers, journal, accounts, reset (JSON)."""

# Importing the views registers their routes on the blueprint.
from . import routes, taskrouter  # noqa: F401
from .blueprint import blueprint

__all__ = ["blueprint"]
