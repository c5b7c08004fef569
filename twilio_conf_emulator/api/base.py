"""What every REST view shares: the emulator, authentication and JSON responses."""

import functools

from flask import current_app, jsonify, request

from ..engine import accounts as accounts_engine
from . import ignored


def emulator():
    return current_app.extensions["twilio_conf_emulator"]


def engine():
    return emulator().engine


def authenticated(view):
    """Authenticate against the path's account; the view receives the Account row first."""

    @functools.wraps(view)
    def wrapper(account_sid, *args, **kwargs):
        eng = engine()
        # A read: the lock for a consistent view, no commit (half the cost of a request).
        with eng.lock:
            account = accounts_engine.authenticate(
                eng.db, request.headers.get("Authorization"), account_sid)
        resp = view(account, *args, **kwargs)
        if resp.status_code < 400:
            ignored.warn(eng, account.sid)
        return resp

    return wrapper


def respond(body, status=200):
    resp = jsonify(body)
    resp.status_code = status
    return resp


def no_content():
    return current_app.response_class(status=204)
