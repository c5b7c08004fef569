"""What every REST view shares: the emulator, authentication and JSON responses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import current_app, jsonify, request

from ..engine import accounts as accounts_engine

if TYPE_CHECKING:  # annotations only
    from flask import Response
    from flask.typing import ResponseReturnValue

    from ..engine.core import Engine


def emulator() -> Any:  # the Emulator (which imports the app, so not named here)
    return current_app.extensions["twilio_conf_emulator"]


def engine() -> Engine:
    return emulator().engine


def authenticated(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Authenticate against the path's account; the view receives the Account row first."""

    @functools.wraps(view)
    def wrapper(account_sid: str, *args: Any, **kwargs: Any) -> ResponseReturnValue:
        eng = engine()
        # A read: the lock for a consistent view, no commit (half the cost of a request).
        with eng.lock:
            account = accounts_engine.authenticate(
                eng.db, request.headers.get("Authorization"), account_sid)
        return view(account, *args, **kwargs)

    return wrapper


def respond(body: Any, status: int = 200) -> Response:
    resp = jsonify(body)
    resp.status_code = status
    return resp


def no_content() -> Response:
    return current_app.response_class(status=204)
