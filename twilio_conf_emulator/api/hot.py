"""The hottest REST requests, a participant's create, fetch and update and a conference's
list of participants, served without Flask.

A hold toggle's own work (parse, engine, one commit, render) is a fraction of what Flask's
request machinery around it costs (request context, routing among ~460 rules, form parsing,
response objects), and users send these by the hundred per test. So the plain shape that
twilio-python sends is served here, through the same parts as the views (authentication,
``participant_resource``, parameter schemas, the UTF-8 check, unused-parameter warnings,
Twilio's error body); the responses are byte for byte the Flask views' (status, headers,
body; ``tests/test_api_hot_path.py`` compares them). Anything else (another method, a query
string on a participant, another content type, a chunked, large or non-ASCII request, another
path) goes to Flask untouched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" codec error handler)
from werkzeug.datastructures import MultiDict
from werkzeug.http import HTTP_STATUS_CODES

from ..engine import accounts as accounts_engine
from ..errors import TwilioError, Unauthorized
from . import ignored
from . import participant_create as creating
from . import participant_resource as resource
from .form_body import check_utf8

log = logging.getLogger(__name__)

# What Flask routes to fetch_participant / update_participant, without a slash in the
# call SID or label (``<path:...>`` allows one; Flask serves those), and to list_participants.
PARTICIPANT = re.compile(
    r"/2010-04-01/Accounts/([^/]+)/Conferences/([^/]+)/Participants/([^/]+)\.json")
PARTICIPANTS = re.compile(r"/2010-04-01/Accounts/([^/]+)/Conferences/([^/]+)/Participants\.json")
FORM = "application/x-www-form-urlencoded"
MAX_BODY = 64 * 1024  # a participant update is a few hundred bytes; larger ones go to Flask

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _status(code: int) -> str:
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


def dispatch(emulator: Any, flask_app: Any, environ: dict[str, Any],
             start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Serve ``environ`` here if it is a plain participant create, fetch, update or list, else
    by Flask."""
    method = environ.get("REQUEST_METHOD")
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    auth = environ.get("HTTP_AUTHORIZATION")
    if not path.isascii():
        return flask_app(environ, start_response)
    # twilio-python sends its form content type on a GET too: with no body, the app's UTF-8
    # hook has nothing to check; a GET with a body is Flask's.
    if (method == "GET" and environ.get("CONTENT_LENGTH", "0") in ("", "0")
            and "HTTP_TRANSFER_ENCODING" not in environ):
        m = PARTICIPANTS.fullmatch(path)
        if m is not None and query.isascii():
            return _serve(emulator, flask_app, method, path, (m[1], m[2], None), query, None, auth,
                          start_response)
        m = PARTICIPANT.fullmatch(path)
        if m is not None and not query:
            return _serve(emulator, flask_app, method, path, (m[1], m[2], m[3]), "", None, auth,
                          start_response)
    elif method == "POST" and not query:
        # An update names its participant (a call SID or label); a create has no third SID.
        m = PARTICIPANT.fullmatch(path) or PARTICIPANTS.fullmatch(path)
        length = environ.get("CONTENT_LENGTH") or ""
        if (m is not None and environ.get("CONTENT_TYPE") == FORM and length.isdigit()
                and int(length) <= MAX_BODY and "HTTP_TRANSFER_ENCODING" not in environ):
            raw = environ["wsgi.input"].read(int(length)) if int(length) else b""
            call_sid = m[3] if m.re is PARTICIPANT else None
            return _serve(emulator, flask_app, method, path, (m[1], m[2], call_sid), "", raw,
                          auth, start_response)
    return flask_app(environ, start_response)


def _serve(emulator: Any, flask_app: Any, method: str, path: str,
           sids: tuple[str, str, str | None], query: str, form: bytes | None,
           authorization: str | None, start_response: Callable[..., Any]) -> list[bytes]:
    """A fetch (GET, a call SID or label), an update (POST, its ``form`` body), a list (GET,
    no call SID) or a create (POST, no call SID) of ``sids`` (account, conference, call)."""
    account_sid, conference_sid, call_sid = sids
    body: Any
    try:
        if form is not None:
            check_utf8(form)  # as the app's before_request hook, before anything else
        with emulator.store.lock:  # a read: the lock for a consistent view, no commit
            account = accounts_engine.authenticate(
                emulator.store.db, authorization, account_sid)
        world = emulator.world_for(account.sid)
        if world is None:  # closed while this request was on its way
            raise Unauthorized()
        eng = world.engine
        usage = ignored.Usage()
        # As Flask reads them (request.args, request.form); the form is UTF-8 already.
        args: MultiDict[str, str] = MultiDict(parse_qsl(
            query if form is None else form.decode(), keep_blank_values=True,
            errors="werkzeug.url_quote"))
        status = 200
        if call_sid is None and form is not None:
            body = creating.create(eng, account, conference_sid, args, path, usage)
            status = 201
        elif call_sid is None:
            body = resource.page(eng, account, conference_sid, args, path, usage)
        elif form is None:
            body = resource.fetch(eng, account, conference_sid, call_sid, path)
        else:
            p = resource.UpdateParams.parse(args, usage)
            body = resource.update(eng, account, conference_sid, call_sid, p, path)
        ignored.warn_unused(eng, account.sid, ignored.unused(args.keys(), usage.consumed,
                                                             usage.ignored), method, path)
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
