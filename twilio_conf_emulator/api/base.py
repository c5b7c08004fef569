"""What every REST view shares: the emulator, the request's world, authentication and JSON
responses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from flask import Response, current_app, g, jsonify, request

from ..engine import accounts as accounts_engine
from ..errors import Unauthorized
from ..wsgi import ENVIRON_KEY
from . import ignored

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue

    from ..emulator import Emulator
    from ..engine.core import Engine
    from ..store.models import Account
    from ..world import World

P = ParamSpec("P")  # a view's own parameters (from the URL)

def emulator() -> Emulator:
    """The Emulator serving this request (the app is shared; the emulator rides in environ)."""
    return request.environ[ENVIRON_KEY]


def world() -> World:
    """The world of the request's account (bound by :func:`authenticated`), else the default."""
    w = g.get("twilio_world")
    return w if w is not None else emulator()


def engine() -> Engine:
    return world().engine


def world_for_path(account_sid: str) -> World:
    """Bind the world of ``account_sid`` without authenticating (public media URLs)."""
    w = emulator().world_for(account_sid)
    if w is not None:
        g.twilio_world = w
    return world()


def authenticated(view: Callable[Concatenate[Account, P], ResponseReturnValue]
                  ) -> Callable[Concatenate[str, P], ResponseReturnValue]:
    """Authenticate against the path's account and bind its world; the view receives the
    Account row first."""

    @functools.wraps(view)
    def wrapper(account_sid: str, *args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        emu = emulator()
        # A read: the lock for a consistent view, no commit (half the cost of a request).
        with emu.store.lock:
            account = accounts_engine.authenticate(
                emu.store.db, request.headers.get("Authorization"), account_sid)
        w = emu.world_for(account.sid)
        if w is None:  # closed while this request was on its way
            raise Unauthorized()
        g.twilio_world = w
        resp = view(account, *args, **kwargs)
        if isinstance(resp, Response) and resp.status_code < 400:
            ignored.warn(w.engine, account.sid)
        return resp

    return wrapper


def respond(body: Any, status: int = 200) -> Response:
    resp = jsonify(body)
    resp.status_code = status
    return resp


def no_content() -> Response:
    return current_app.response_class(status=204)
