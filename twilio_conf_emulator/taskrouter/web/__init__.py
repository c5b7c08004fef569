"""TaskRouter v1 REST API on ``/v1/Workspaces/...`` (thin views over the taskrouter modules)."""

# Importing the views registers their routes on the blueprint.
from . import views  # noqa: F401
from .blueprint import blueprint

__all__ = ["blueprint"]
