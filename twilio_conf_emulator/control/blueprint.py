"""The Flask blueprint the control views register on (its own module, so views and the
package import it without a circle)."""

from flask import Blueprint

blueprint = Blueprint("control", "twilio_conf_emulator.control", url_prefix="/_emulator")
