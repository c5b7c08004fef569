"""The hottest REST requests, a participant's fetch and update, served without Flask.

A hold toggle's own work (parse, engine, one commit, render) is a fraction of what Flask's
request machinery around it costs (request context, routing among ~460 rules, form parsing,
response objects), and users send these by the hundred per test. So the plain shape that
twilio-python sends is served here, through the same parts as the views (authentication,
``participant_instance``, parameter schema, the UTF-8 check, unused-parameter warnings,
Twilio's error body); the responses are byte for byte the Flask views' (status, headers,
body; ``tests/test_api_hot_path.py`` compares them). Anything else (another method, a query
string, another content type, a chunked, large or non-ASCII request, another path) goes to
Flask untouched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from werkzeug.http import HTTP_STATUS_CODES

from ..engine import accounts as accounts_engine
from ..errors import TwilioError, Unauthorized
from . import ignored
from . import participant_instance as instance
from .form_body import check_utf8

log = logging.getLogger(__name__)

# What Flask routes to fetch_participant / update_participant, without a slash in the
# call SID or label (``<path:...>`` allows one; Flask serves those).
PARTICIPANT = re.compile(
    r"/2010-04-01/Accounts/([^/]+)/Conferences/([^/]+)/Participants/([^/]+)\.json")
FORM = "application/x-www-form-urlencoded"
MAX_BODY = 64 * 1024  # a participant update is a few hundred bytes; larger ones go to Flask

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _status(code: int) -> str:
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


def dispatch(emulator: Any, flask_app: Any, environ: dict[str, Any],
             start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Serve ``environ`` here if it is a plain participant fetch or update, else by Flask."""
    method = environ.get("REQUEST_METHOD")
    if (method == "GET" or method == "POST") and not environ.get("QUERY_STRING"):
        path = environ.get("PATH_INFO", "")
        m = PARTICIPANT.fullmatch(path)
        if m is not None and path.isascii():
            raw = b""
            if method == "POST":
                length = environ.get("CONTENT_LENGTH") or ""
                if (environ.get("CONTENT_TYPE") != FORM or not length.isdigit()
                        or int(length) > MAX_BODY or "HTTP_TRANSFER_ENCODING" in environ):
                    return flask_app(environ, start_response)
                raw = environ["wsgi.input"].read(int(length)) if int(length) else b""
            return _serve(emulator, flask_app, method, path, m.groups(), raw,
                          environ.get("HTTP_AUTHORIZATION"), start_response)
    return flask_app(environ, start_response)


def _serve(emulator, flask_app, method, path, sids, raw, authorization, start_response):
    account_sid, conference_sid, call_sid = sids
    try:
        if method == "POST":
            check_utf8(raw)  # as the app's before_request hook, before anything else
        with emulator.store.lock:  # a read: the lock for a consistent view, no commit
            account = accounts_engine.authenticate(
                emulator.store.db, authorization, account_sid)
        world = emulator.world_for(account.sid)
        if world is None:  # closed while this request was on its way
            raise Unauthorized()
        eng = world.engine
        if method == "GET":
            body = instance.fetch(eng, account, conference_sid, call_sid, path)
        else:
            form: MultiDict[str, str] = MultiDict(parse_qsl(raw.decode(), keep_blank_values=True))
            usage = ignored.Usage()
            p = instance.UpdateParams.parse(form, usage)
            body = instance.update(eng, account, conference_sid, call_sid, p, path)
            ignored.warn_unused(eng, account.sid, ignored.unused(form.keys(), usage.consumed,
                                                                 usage.ignored), method, path)
        status = 200
    except TwilioError as err:
        body, status = err.to_dict(), err.status
    except Exception as err:  # pragma: no cover - only reached through a bug
        log.exception("internal error on %s %s", method, path)
        e = TwilioError(f"Internal error: {type(err).__name__}: {err}")
        body, status = e.to_dict(), e.status
    data = f"{flask_app.json.dumps(body, separators=(',', ':'))}\n".encode()
    start_response(_status(status), [("Content-Type", "application/json"),
                                     ("Content-Length", str(len(data)))])
    return [data]
