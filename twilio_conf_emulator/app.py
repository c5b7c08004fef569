"""The Flask app factory: the 2010-04-01 REST API and the /_emulator control API.

Any error, including an unexpected one, leaves as Twilio's JSON error body; the engine's
transaction has already rolled back, so bad input never loses state.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .errors import MethodNotAllowed, NotFound, TwilioError

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue


log = logging.getLogger(__name__)
_APP = None
_APP_LOCK = threading.Lock()


def shared_app():
    """The process's one Flask app (built on first use); the Emulator comes with each request."""
    global _APP
    if _APP is None:
        with _APP_LOCK:
            if _APP is None:
                _APP = _build()
    return _APP


def _build():
    app = Flask("twilio_conf_emulator")
    app.json.sort_keys = False
    app.url_map.strict_slashes = False

    from .api import blueprint as api_blueprint
    from .control import blueprint as control_blueprint

    app.register_blueprint(api_blueprint)
    app.register_blueprint(control_blueprint)
    from .taskrouter.web import blueprint as taskrouter_blueprint

    app.register_blueprint(taskrouter_blueprint)

    @app.errorhandler(TwilioError)
    def _twilio_error(err: TwilioError) -> ResponseReturnValue:
        return jsonify(err.to_dict()), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> ResponseReturnValue:
        e: TwilioError
        if err.code == 404:
            e = NotFound(request.path)
        elif err.code == 405:
            e = MethodNotAllowed(request.method)
        else:
            e = TwilioError(err.description or err.name, code=20000 + (err.code or 500),
                            status=err.code or 500)
        return jsonify(e.to_dict()), e.status

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> ResponseReturnValue:  # pragma: no cover - only reached through a bug
        log.exception("internal error on %s %s", request.method, request.path)
        e = TwilioError(f"Internal error: {type(err).__name__}: {err}")
        return jsonify(e.to_dict()), e.status

    return app
