"""The /_emulator/* back door: clock, phones, callers, journal, accounts, reset (JSON)."""

from flask import Blueprint

blueprint = Blueprint("control", __name__, url_prefix="/_emulator")

from . import routes, taskrouter  # noqa: E402,F401
