"""App faults on the voice URL: down, slow, 500, bad XML, 12200 warnings; the fallback URL;
<Reject>; the engine carries on."""

import time

from flask import Flask, request
from twilio.twiml.voice_response import VoiceResponse

from twilio_conf_emulator.webhooks.live_server import LiveServer

NUMBER = "+15550600000"
ERROR_TEXT = "An application error has occurred."


def make_app():
    app = Flask(__name__)

    @app.post("/ok")
    def ok():
        r = VoiceResponse()
        r.say("All good.")
        return str(r), 200, {"Content-Type": "text/xml"}

    @app.post("/boom")
    def boom():
        return "oops", 500

    @app.post("/bad-xml")
    def bad_xml():
        return "<Response><Say>unclosed</Response>", 200, {"Content-Type": "text/xml"}

    @app.post("/slow")
    def slow():
        time.sleep(float(request.args.get("s", "1")))
        return ok()

    @app.post("/fallback")
    def fallback():
        r = VoiceResponse()
        r.say("Fallback " + request.form.get("ErrorCode", "?"))
        return str(r), 200, {"Content-Type": "text/xml"}

    @app.post("/warn")
    def warn():
        return ('<Response><say>lower case</say><Record/><Say>spoken</Say></Response>', 200,
                {"Content-Type": "text/xml"})

    @app.post("/reject")
    def reject():
        r = VoiceResponse()
        r.reject(reason=request.args.get("reason", "rejected"))
        return str(r), 200, {"Content-Type": "text/xml"}

    return app


def says(emu, sid):
    from twilio_conf_emulator.store.models import MediaEventRow

    with emu.engine.transaction() as db:
        rows = db.query(MediaEventRow).filter(MediaEventRow.call_sid == sid,
                                              MediaEventRow.kind == "call-play")
        return [r.data["audio"].get("text") for r in rows.order_by(MediaEventRow.id)]


def number(emu, url, fallback=None):
    kw = {"voice_fallback_url": fallback} if fallback else {}
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER, voice_url=url, **kw)


def check_app_error(emu, sid, code):
    entry = emu.webhooks.all(kind="voice", call_sid=sid)[0]
    assert entry["error_code"] == code
    assert code in [a["code"] for a in emu.alerts() if a["call_sid"] == sid]
    assert says(emu, sid) == [ERROR_TEXT]
    emu.advance(5)
    call = emu.client.calls(sid).fetch()
    assert call.status == "completed"


def test_voice_url_500_is_11217(emu):
    emu.deliver_webhooks_to(make_app())
    number(emu, "http://app.test/boom")
    sid = emu.call("+15551230001", NUMBER)
    emu.advance(0)
    check_app_error(emu, sid, 11217)


def test_voice_url_bad_xml_is_12100(emu):
    emu.deliver_webhooks_to(make_app())
    number(emu, "http://app.test/bad-xml")
    sid = emu.call("+15551230001", NUMBER)
    emu.advance(0)
    check_app_error(emu, sid, 12100)


def test_voice_url_down_is_11205_and_the_engine_carries_on(emu):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here now
    number(emu, f"http://127.0.0.1:{port}/voice")
    sid = emu.call("+15551230001", NUMBER)
    emu.advance(0)
    check_app_error(emu, sid, 11205)
    # The engine still works: a second number with a working app.
    app = make_app()
    with LiveServer(app) as server:
        emu.client.incoming_phone_numbers.create(phone_number="+15550600001",
                                                 voice_url=server.url + "/ok")
        ok = emu.call("+15551230002", "+15550600001")
        emu.advance(0)
    assert says(emu, ok) == ["All good."]


def test_slow_voice_url_times_out_over_http(emu):
    emu.config.webhook_read_timeout = 0.3
    with LiveServer(make_app()) as server:
        number(emu, server.url + "/slow?s=1")
        sid = emu.call("+15551230001", NUMBER)
        emu.advance(0)
        check_app_error(emu, sid, 11205)


def test_500_over_http_uses_the_fallback_url(emu):
    with LiveServer(make_app()) as server:
        number(emu, server.url + "/boom", fallback=server.url + "/fallback")
        sid = emu.call("+15551230001", NUMBER)
        emu.advance(0)
    fb = emu.webhooks.params(kind="fallback", call_sid=sid)
    assert fb[0]["ErrorCode"] == "11217" and fb[0]["ErrorUrl"].endswith("/boom")
    assert says(emu, sid) == ["Fallback 11217"]


def test_unknown_verbs_are_12200_warnings_and_skipped(emu):
    emu.deliver_webhooks_to(make_app())
    number(emu, "http://app.test/warn")
    sid = emu.call("+15551230001", NUMBER)
    emu.advance(0)
    warnings = [a for a in emu.alerts() if a["code"] == 12200]
    assert len(warnings) == 2 and all(a["level"] == "warning" for a in warnings)
    assert "case-sensitive" in warnings[0]["message"] and "Record" in warnings[1]["message"]
    assert says(emu, sid) == ["spoken"]


def test_reject_busy_is_not_answered(emu):
    emu.deliver_webhooks_to(make_app())
    number(emu, "http://app.test/reject?reason=busy")
    sid = emu.call("+15551230001", NUMBER)
    emu.advance(0)
    call = emu.client.calls(sid).fetch()
    assert call.status == "busy" and call.duration in (None, "", "0")
    assert says(emu, sid) == []
