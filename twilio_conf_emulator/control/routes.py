"""Control API routes. Names and shapes are a stable contract (DESIGN.md); add, don't rename.

Every route but ``health`` acts on one world: the account the request's REST credentials
(Basic ``AC…:token`` or ``SK…:secret``) unlock; without credentials, the default account's
world, and only while the server listens on loopback only (else 401, code 20003).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from flask import current_app, g, jsonify, request

from ..config import SERVER_SETTINGS
from ..engine import calls as calls_engine
from ..errors import BadRequest, NotFound, Unauthorized
from ..journal import query
from ..media.audio import say_engine
from ..timefmt import rfc2822
from ..version import __version__
from ..wsgi import ENVIRON_KEY
from .audio_check import checked_audio
from .blueprint import blueprint
from .input import json_object

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue

    from ..emulator import Emulator
    from ..world import World

def server() -> Emulator:
    return request.environ[ENVIRON_KEY]


def emulator() -> World:
    """The world this request acts on (see the module docstring)."""
    w = g.get("twilio_world")
    if w is None:
        emu = server()
        auth = request.headers.get("Authorization")
        if auth:
            w = emu.authenticate(auth)
        elif emu.loopback_only:
            w = emu
        else:
            raise Unauthorized("Authenticate: this server listens beyond loopback, so control "
                               "routes need the account's credentials (HTTP Basic)")
        g.twilio_world = w
    return w


def body() -> dict[str, Any]:
    return json_object()


def clock_body() -> dict[str, Any]:
    emu = emulator()
    with emu.engine.transaction():  # realtime: the clock caught up with the wall clock
        now, pending = emu.clock.now(), emu.engine.scheduler.pending()
    return {"mode": emu.clock.mode, "now": rfc2822(now), "epoch": now, "pending": pending}


@blueprint.get("/health")
def health() -> ResponseReturnValue:
    return jsonify({"status": "ok", "version": __version__, "say_engine": say_engine()})


@blueprint.post("/reset")
def reset() -> ResponseReturnValue:
    emulator().reset()
    return jsonify({"status": "ok"})


@blueprint.get("/clock")
def clock() -> ResponseReturnValue:
    return jsonify(clock_body())


@blueprint.post("/clock/advance")
def advance() -> ResponseReturnValue:
    data = body()
    if "seconds" not in data:
        raise BadRequest("Missing required field(s): seconds", code=20001)
    try:
        seconds = float(data["seconds"])
    except (TypeError, ValueError):
        raise BadRequest("seconds must be a number", code=20001) from None
    if not seconds >= 0 or seconds == float("inf"):
        raise BadRequest("seconds must be a finite number >= 0", code=20001)
    emulator().advance(seconds)
    return jsonify(clock_body())


@blueprint.post("/phones")
def phones() -> ResponseReturnValue:
    data = body()
    number = data.get("number")
    if not number or not isinstance(number, str):
        raise BadRequest("number is required", code=20001)
    cfg = {k: v for k, v in data.items() if k not in ("number", "account_sid")}
    emu = emulator()
    checked_audio(emu, cfg.get("audio"))
    if data.get("account_sid") not in (None, emu.account_sid):
        raise Unauthorized("account_sid is not the account of these credentials")
    with emu.engine.transaction() as db:
        result = calls_engine.set_phone(db, number, cfg, emu.account_sid)
    return jsonify(result), 201


def _digits_script(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(d, dict) and "digits" in d for d in value
    ):
        raise BadRequest('digits must be a list of {"at": seconds, "digits": "1#"}', code=20001)
    try:
        return [{"at": float(d.get("at", 0)), "digits": str(d["digits"])} for d in value]
    except (TypeError, ValueError):
        raise BadRequest("digits: at must be a number of seconds", code=20001) from None


@blueprint.post("/calls")
def inbound_call() -> ResponseReturnValue:
    """A virtual caller dials ``to``; routed by that number's VoiceUrl. ``{"call_sid"}``."""
    data = body()
    for key in ("from", "to"):
        if not data.get(key) or not isinstance(data[key], str):
            raise BadRequest(f"{key} is required", code=20001)
    hangup_after = data.get("hangup_after")
    if hangup_after is not None:
        try:
            hangup_after = float(hangup_after)
        except (TypeError, ValueError):
            raise BadRequest("hangup_after must be a number of seconds", code=20001) from None
    checked_audio(emulator(), data.get("audio"))
    sid = emulator().call(data["from"], data["to"], audio=data.get("audio"),
                          digits=_digits_script(data.get("digits")), hangup_after=hangup_after,
                          speech=data.get("speech"))
    return jsonify({"call_sid": sid}), 201


def _existing_call(sid: str) -> None:
    emu = emulator()
    with emu.engine.transaction() as db:
        if emu.own_call(db, sid) is None:
            raise NotFound(request.path)


@blueprint.post("/calls/<sid>/digits")
def call_digits(sid: str) -> ResponseReturnValue:
    data = body()
    digits = data.get("digits")
    if not digits or not isinstance(digits, str):
        raise BadRequest("digits is required", code=20001)
    _existing_call(sid)
    emulator().press(sid, digits)
    return jsonify({"call_sid": sid, "digits": digits})


@blueprint.post("/calls/<sid>/hangup")
def call_hangup(sid: str) -> ResponseReturnValue:
    _existing_call(sid)
    emulator().hangup(sid)
    return jsonify({"call_sid": sid})


@blueprint.get("/calls/<sid>/audio.wav")
def call_audio(sid: str) -> ResponseReturnValue:
    """What that call heard (answer to end, or to now while it is up), 8 kHz 16-bit WAV."""
    data = emulator().call_audio(sid)  # unknown call: errors.NotFound, a Twilio-shaped 404
    return current_app.response_class(data, mimetype="audio/x-wav")


@blueprint.post("/accounts")
def accounts() -> ResponseReturnValue:
    """A new account and its world. Open on a loopback-only server; elsewhere it needs
    ``Authorization: Bearer <admin token>`` (``serve --admin-token``)."""
    emu = server()
    if not emu.loopback_only:
        expected = f"Bearer {emu.admin_token}" if emu.admin_token else None
        given = request.headers.get("Authorization") or ""
        if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("Authenticate: creating accounts on a server that listens beyond "
                               "loopback needs the admin token (serve --admin-token)")
    data = body()
    sid, token = emu.create_account(data.get("sid"), data.get("auth_token"),
                                    data.get("friendly_name"))
    return jsonify({"sid": sid, "auth_token": token}), 201


@blueprint.delete("/accounts/<sid>")
def close_account(sid: str) -> ResponseReturnValue:
    """Drop an account and its whole world; only with that account's own credentials."""
    emu = emulator()
    if emu.account_sid != sid:
        raise Unauthorized("Authenticate: an account is closed with its own credentials")
    server().close_account(sid)
    return current_app.response_class(status=204)


@blueprint.post("/keys")
def keys() -> ResponseReturnValue:
    data = body()
    emu = emulator()
    if data.get("account_sid") not in (None, emu.account_sid):
        raise Unauthorized("account_sid is not the account of these credentials")
    secret = data.get("secret")
    if secret is not None and (not isinstance(secret, str) or not 1 <= len(secret) <= 64):
        raise BadRequest("secret must be a string of 1 to 64 characters", code=20001)
    sid, secret = emu.create_api_key(emu.account_sid, secret)
    return jsonify({"sid": sid, "secret": secret}), 201


@blueprint.get("/webhooks")
def webhooks() -> ResponseReturnValue:
    a = request.args
    since_id = a.get("since_id")
    if since_id is not None and not (since_id.isascii() and since_id.isdigit()):
        raise BadRequest("since_id must be a journal entry id (a whole number >= 0)",
                         code=20001)
    emu = emulator()
    if a.get("account_sid") not in (None, "", emu.account_sid):
        return jsonify({"webhooks": []})  # another world's journal is not visible
    with emu.engine.transaction() as db:
        entries = query(db, kind=a.get("kind"), conference_sid=a.get("conference_sid"),
                        call_sid=a.get("call_sid"), account_sid=emu.account_sid,
                        since_id=a.get("since_id"))
    return jsonify({"webhooks": entries})


@blueprint.post("/webhooks/replay")
def replay_webhooks() -> ResponseReturnValue:
    """``{"ids": [...], "url": optional}``: re-send journal entries, re-signed for the URL."""
    data = body()
    ids = data.get("ids")
    if not isinstance(ids, list) or not ids or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise BadRequest("ids must be a non-empty list of journal entry ids", code=20001)
    url = data.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://",
                                                                             "https://"))):
        raise BadRequest("url must be an absolute http(s) URL", code=20001)
    entries = emulator().replay_webhooks(ids, url)
    return jsonify({"webhooks": entries})


@blueprint.get("/alerts")
def alerts() -> ResponseReturnValue:
    return jsonify({"alerts": emulator().alerts()})


@blueprint.get("/config")
def get_config() -> ResponseReturnValue:
    return jsonify(emulator().config.as_dict())


@blueprint.post("/config")
def set_config() -> ResponseReturnValue:
    data = body()
    fixed = sorted(set(data) & set(SERVER_SETTINGS))
    if fixed:
        raise BadRequest(f"{', '.join(fixed)}: a server setting, fixed at start-up", code=20001)
    try:
        emulator().config.update(**data)
    except KeyError as err:
        raise BadRequest(f"Unknown config option(s): {err}", code=20001) from None
    except ValueError as err:
        raise BadRequest(str(err), code=20001) from None
    return jsonify(emulator().config.as_dict())


@blueprint.get("/conferences/<conference_sid>/timeline.<any(html, json):fmt>")
def conference_timeline(conference_sid: str, fmt: str) -> ResponseReturnValue:
    """The picture of a conference (``.html``, one self-contained page) or its data (``.json``)."""
    from ..store.models import Conference
    from ..timeline_view import conference_timeline as build
    from ..timeline_view import render_html

    emu = emulator()
    with emu.engine.transaction() as db:
        conf = db.get(Conference, conference_sid)
        if conf is None or conf.account_sid != emu.account_sid:
            raise NotFound(request.path)
    model = build(emu, conference_sid)  # unknown SID: errors.NotFound, a Twilio 404
    if fmt == "json":
        return jsonify(model)
    return current_app.response_class(render_html(model), mimetype="text/html")


@blueprint.route("/<path:rest>", methods=["GET", "POST", "DELETE"])
def unknown(rest: str) -> ResponseReturnValue:
    raise NotFound(request.path)

