"""Control API routes. Names and shapes are a stable contract (DESIGN.md); add, don't rename."""

from flask import current_app, jsonify, request

from ..media.audio import say_engine
from ..version import __version__
from ..engine import calls as calls_engine
from ..errors import BadRequest, NotFound
from ..journal import query
from ..store.models import Alert
from ..timefmt import rfc2822
from .blueprint import blueprint


def emulator():
    return current_app.extensions["twilio_conf_emulator"]


def body():
    data = request.get_json(silent=True)
    if data is None:
        if request.data.strip():
            raise BadRequest("The body must be a JSON object", code=20001)
        data = {}
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object", code=20001)
    return data


def clock_body():
    emu = emulator()
    return {"mode": emu.clock.mode, "now": rfc2822(emu.clock.now()), "epoch": emu.clock.now(),
            "pending": emu.engine.scheduler.pending()}


@blueprint.get("/health")
def health():
    return jsonify({"status": "ok", "version": __version__, "say_engine": say_engine()})


@blueprint.post("/reset")
def reset():
    emulator().reset()
    return jsonify({"status": "ok"})


@blueprint.get("/clock")
def clock():
    return jsonify(clock_body())


@blueprint.post("/clock/advance")
def advance():
    data = body()
    try:
        seconds = float(data.get("seconds", 0))
    except (TypeError, ValueError):
        raise BadRequest("seconds must be a number", code=20001) from None
    if not seconds >= 0 or seconds == float("inf"):
        raise BadRequest("seconds must be a finite number >= 0", code=20001)
    emulator().advance(seconds)
    return jsonify(clock_body())


@blueprint.post("/phones")
def phones():
    data = body()
    number = data.get("number")
    if not number or not isinstance(number, str):
        raise BadRequest("number is required", code=20001)
    cfg = {k: v for k, v in data.items() if k not in ("number", "account_sid")}
    emu = emulator()
    with emu.engine.transaction() as db:
        result = calls_engine.set_phone(db, number, cfg, data.get("account_sid"))
    return jsonify(result), 201


def _digits_script(value):
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
def inbound_call():
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
    sid = emulator().call(data["from"], data["to"], audio=data.get("audio"),
                          digits=_digits_script(data.get("digits")), hangup_after=hangup_after)
    return jsonify({"call_sid": sid}), 201


def _existing_call(sid):
    from ..store.models import Call

    with emulator().engine.transaction() as db:
        if db.get(Call, sid) is None:
            raise NotFound(request.path)


@blueprint.post("/calls/<sid>/digits")
def call_digits(sid):
    data = body()
    digits = data.get("digits")
    if not digits or not isinstance(digits, str):
        raise BadRequest("digits is required", code=20001)
    _existing_call(sid)
    emulator().press(sid, digits)
    return jsonify({"call_sid": sid, "digits": digits})


@blueprint.post("/calls/<sid>/hangup")
def call_hangup(sid):
    _existing_call(sid)
    emulator().hangup(sid)
    return jsonify({"call_sid": sid})


@blueprint.get("/calls/<sid>/audio.wav")
def call_audio(sid):
    """What that call heard (answer to end, or to now while it is up), 8 kHz 16-bit WAV."""
    data = emulator().call_audio(sid)  # unknown call: errors.NotFound, a Twilio-shaped 404
    return current_app.response_class(data, mimetype="audio/x-wav")


@blueprint.post("/accounts")
def accounts():
    data = body()
    sid, token = emulator().create_account(data.get("sid"), data.get("auth_token"),
                                           data.get("friendly_name"))
    return jsonify({"sid": sid, "auth_token": token}), 201


@blueprint.post("/keys")
def keys():
    data = body()
    sid, secret = emulator().create_api_key(data.get("account_sid"), data.get("secret"))
    return jsonify({"sid": sid, "secret": secret}), 201


@blueprint.get("/webhooks")
def webhooks():
    a = request.args
    emu = emulator()
    with emu.engine.transaction() as db:
        entries = query(db, kind=a.get("kind"), conference_sid=a.get("conference_sid"),
                        call_sid=a.get("call_sid"), account_sid=a.get("account_sid"),
                        since_id=a.get("since_id"))
    return jsonify({"webhooks": entries})


@blueprint.post("/webhooks/replay")
def replay_webhooks():
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
def alerts():
    emu = emulator()
    with emu.engine.transaction() as db:
        rows = db.query(Alert).order_by(Alert.id).all()
        out = [r.to_dict() for r in rows]
    return jsonify({"alerts": out})


@blueprint.get("/config")
def get_config():
    return jsonify(emulator().config.as_dict())


@blueprint.post("/config")
def set_config():
    try:
        emulator().config.update(**body())
    except KeyError as err:
        raise BadRequest(f"Unknown config option(s): {err}", code=20001) from None
    except ValueError as err:
        raise BadRequest(str(err), code=20001) from None
    return jsonify(emulator().config.as_dict())


@blueprint.get("/conferences/<conference_sid>/timeline.<any(html, json):fmt>")
def conference_timeline(conference_sid, fmt):
    """The picture of a conference (``.html``, one self-contained page) or its data (``.json``)."""
    from ..timeline_view import conference_timeline as build, render_html

    model = build(emulator(), conference_sid)  # unknown SID: errors.NotFound, a Twilio 404
    if fmt == "json":
        return jsonify(model)
    return current_app.response_class(render_html(model), mimetype="text/html")


@blueprint.route("/<path:rest>", methods=["GET", "POST", "DELETE"])
def unknown(rest):
    raise NotFound(request.path)

