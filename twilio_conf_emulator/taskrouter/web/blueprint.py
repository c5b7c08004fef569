"""The Flask blueprint the TaskRouter views register on (its own module, so the app and the
views import it without a circle)."""

from flask import Blueprint

blueprint = Blueprint("taskrouter", "twilio_conf_emulator.taskrouter.web", url_prefix="/v1")
