"""The Flask app factory: the 2010-04-01 REST API and the /_emulator control API.

Any error, including an unexpected one, leaves as Twilio's JSON error body; the engine's
transaction has already rolled back, so bad input never loses state.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from .api import hot
from .api.form_body import check_utf8
from .errors import MethodNotAllowed, NotFound, TwilioError

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue


log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 16 * 1024 * 1024


_APP: Flask | None = None
_TASKROUTER_APP: Flask | None = None
_APP_LOCK = threading.Lock()
TASKROUTER_PREFIX = "/v1"  # TaskRouter's API (taskrouter.twilio.com/v1); nothing else is under it


def shared_app() -> Flask:
    """The process's one Flask app (built on first use): the 2010-04-01 REST API and the
    control API; the Emulator comes with each request."""
    global _APP
    if _APP is None:
        with _APP_LOCK:
            if _APP is None:
                _APP = _build()
    return _APP


def taskrouter_app() -> Flask:
    """The process's TaskRouter app (``/v1/...``), built on the first TaskRouter request: its
    views, resources and rendering stay out of a server that is never asked for them (about
    0.7 MB of a served process's memory, issue 11). It is configured as the shared app is, so
    its errors, limits and form checks are the same."""
    global _TASKROUTER_APP
    if _TASKROUTER_APP is None:
        with _APP_LOCK:
            if _TASKROUTER_APP is None:
                from .taskrouter.web import blueprint as taskrouter_blueprint

                app = _configured()
                app.register_blueprint(taskrouter_blueprint)
                _TASKROUTER_APP = app
    return _TASKROUTER_APP


def serve(emulator: Any, environ: dict[str, Any], start_response: Any) -> Any:
    """One request for ``emulator``: a TaskRouter one by the TaskRouter app, a plain
    participant create, fetch, update or list without Flask (api/hot.py), anything else by
    the shared Flask app."""
    path = environ.get("PATH_INFO", "")
    if path.startswith(TASKROUTER_PREFIX) and path[len(TASKROUTER_PREFIX):][:1] in ("", "/"):
        return taskrouter_app()(environ, start_response)
    return hot.dispatch(emulator, shared_app(), environ, start_response)


def _build() -> Flask:
    from .api import blueprint as api_blueprint
    from .control import blueprint as control_blueprint

    app = _configured()
    app.register_blueprint(api_blueprint)
    app.register_blueprint(control_blueprint)
    return app


class BuildOnFirstUseRule(Rule):
    """A URL rule whose URL builders are compiled when a URL is first built from it.

    Werkzeug writes and compiles two Python functions per rule as the rule is added, for
    ``url_for``; nothing here builds URLs from rules, and for the API's 53 rules that was
    about 6 ms and 0.3 MB of a server's start (issue 11). Matching does not use them."""

    def _compile_builder(self, append_unknown: bool = True) -> Any:
        attr = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build_on_first_use(rule: Rule, *args: Any, **kwargs: Any) -> Any:
            built = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attr, built)
            return built(*args, **kwargs)

        return build_on_first_use


def _configured() -> Flask:
    """A Flask app with the emulator's settings, form check and Twilio-shaped errors, and no
    routes yet."""
    # No static folder: the package serves no files, and no /static route answers 404s.
    app = Flask("twilio_conf_emulator", static_folder=None)
    app.url_rule_class = BuildOnFirstUseRule
    app.json.sort_keys = False  # type: ignore[attr-defined]  # Flask's DefaultJSONProvider
    app.url_map.strict_slashes = False
    # Bodies are small forms and JSON objects; anything larger is a 413 before it is read.
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    # Werkzeug's own default for one form's in-memory size differs between patch releases
    # (a 1 MB value was a 413 with 3.1.8, a 400 naming the field with 3.1.9): set it, so the
    # answer does not depend on which Werkzeug is installed.
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_REQUEST_BYTES

    @app.before_request
    def _form_is_utf8() -> None:
        if request.mimetype == "application/x-www-form-urlencoded":
            check_utf8(request.get_data(cache=True))

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
        # A 405 says which methods the resource has (RFC 9110 §15.5.6).
        headers = [(k, v) for k, v in err.get_headers() if k.lower() == "allow"]
        return jsonify(e.to_dict()), e.status, headers

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> ResponseReturnValue:  # pragma: no cover - only reached through a bug
        log.exception("internal error on %s %s", request.method, request.path)
        e = TwilioError(f"Internal error: {type(err).__name__}: {err}")
        return jsonify(e.to_dict()), e.status

    return app
