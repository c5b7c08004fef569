"""The REST API, version 2010-04-01: thin views that parse, call the engine and render."""

from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/2010-04-01")

from . import (accounts, call_recordings, calls, conferences, numbers, participants,  # noqa: E402,F401
               recordings)
