"""The Flask blueprint the REST API views register on (its own module, so views and the
package import it without a circle)."""

from flask import Blueprint

blueprint = Blueprint("api", "twilio_conf_emulator.api", url_prefix="/2010-04-01")
