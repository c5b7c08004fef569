"""The REST API, version 2010-04-01: thin views that parse, call the engine and render."""

# Importing the views registers their routes on the blueprint.
from . import accounts, call_recordings, calls, conferences, numbers, participants, recordings  # noqa: F401
from .blueprint import blueprint

__all__ = ["blueprint"]
