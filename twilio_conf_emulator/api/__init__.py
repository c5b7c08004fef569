"""The REST API, version 2010-04-01: thin views that parse, call the engine and render."""

# Importing the views registers their routes on the blueprint; the less used resources'
# views load on their first request (late_views.py).
from . import calls, conferences, late_views, participants  # noqa: F401
from .blueprint import blueprint

late_views.register(blueprint)

__all__ = ["blueprint"]
