"""HttpTransport and WsgiTransport against the same little app: every test runs over a real
socket and in-process, and must observe the same thing."""

import socket
import threading
import time

import pytest
from flask import Flask, Response, redirect, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.webhooks.live_server import LiveServer
from twilio_conf_emulator.webhooks.transport import HttpTransport, OutboundRequest, WsgiTransport

TOKEN = "transport-token"
TWIML = b"<Response><Say>ok</Say></Response>"
PARAMS = [("CallSid", "CA0001"), ("AccountSid", "AC0001"), ("CallStatus", "ringing"), ("Digits", "9"), ("Digits", "1")]


def make_app():
    app = Flask("webhook-test-app")
    app.seen = []

    def record():
        signature = request.headers.get("X-Twilio-Signature", "")
        app.seen.append(
            {
                "method": request.method,
                "url": request.url,
                "form": request.form.to_dict(flat=False),
                "args": request.args.to_dict(flat=False),
                "headers": dict(request.headers),
                "cookies": dict(request.cookies),
                "valid": RequestValidator(TOKEN).validate(request.url, request.form, signature),
            }
        )

    @app.route("/voice", methods=["GET", "POST"])
    def voice():
        record()
        if not app.seen[-1]["valid"]:
            return "bad signature", 403
        return Response(TWIML, content_type="text/xml; charset=utf-8")

    @app.route("/hop/<int:left>", methods=["GET", "POST"])
    def hop(left):
        record()
        code = int(request.args.get("code", "302"))
        target = f"../hop/{left - 1}?code={code}" if left > 1 else "../voice"
        return redirect(target, code=code)  # relative: resolved against the current URL

    @app.route("/fail/<int:status>", methods=["GET", "POST"])
    def fail(status):
        record()
        return Response(b"it broke", status=status, content_type="text/plain")

    @app.route("/slow", methods=["GET", "POST"])
    def slow():
        time.sleep(1.0)
        return Response(TWIML, content_type="text/xml")

    @app.route("/trickle", methods=["GET", "POST"])
    def trickle():
        def chunks():
            for _ in range(10):
                time.sleep(0.1)
                yield b" "

        return Response(chunks(), content_type="text/xml")

    @app.route("/cookie", methods=["POST"])
    def cookie():
        record()
        response = Response(TWIML, content_type="text/xml")
        response.set_cookie("session", f"visit-{len(app.seen)}")
        return response

    @app.route("/huge", methods=["GET", "POST"])
    def huge():
        return Response(b"x" * 300_000, content_type="audio/x-wav")

    @app.route("/crash", methods=["POST"])
    def crash():
        raise RuntimeError("handler bug")

    return app


@pytest.fixture(scope="module")
def served():
    app = make_app()
    with LiveServer(app) as server:
        yield app, server


@pytest.fixture(params=["http", "wsgi"])
def channel(request, served):
    """(transport, base_url, app): the same app, over a socket or in-process."""
    app, server = served
    app.seen.clear()
    config = EmulatorConfig()
    transport = HttpTransport(config) if request.param == "http" else WsgiTransport(app, config)
    yield transport, server.url, app
    transport.close()


def send(transport, url, method="POST", params=PARAMS, kind="voice"):
    return transport.deliver(OutboundRequest(url, method, list(params), kind), TOKEN)


def test_post_is_signed_and_validates_in_the_handler(channel):
    transport, base, app = channel
    result = send(transport, base + "/voice?tenant=1")
    assert (result.status, result.error_code, result.body) == (200, None, TWIML)
    assert result.content_type == "text/xml"
    assert result.charset == "utf-8"
    seen = app.seen[-1]
    assert seen["valid"] and seen["method"] == "POST"
    assert seen["url"] == result.url == base + "/voice?tenant=1"
    assert seen["form"] == {"CallSid": ["CA0001"], "AccountSid": ["AC0001"], "CallStatus": ["ringing"], "Digits": ["9", "1"]}
    assert seen["headers"]["User-Agent"] == "TwilioProxy/1.1"
    assert seen["headers"]["X-Twilio-Signature"] == result.signature
    assert seen["headers"]["I-Twilio-Idempotency-Token"] == result.request_headers["I-Twilio-Idempotency-Token"]
    assert RequestValidator(TOKEN).validate(result.url, MultiDict(result.params), result.signature)


def test_get_carries_params_in_the_query_and_validates(channel):
    transport, base, app = channel
    result = send(transport, base + "/voice", method="GET")
    assert result.status == 200 and result.ok
    seen = app.seen[-1]
    assert seen["valid"] and seen["method"] == "GET" and seen["form"] == {}
    assert seen["args"]["Digits"] == ["9", "1"]
    assert result.params == [] and result.url == seen["url"]


def test_redirects_are_followed_and_every_hop_is_resigned(channel):
    transport, base, app = channel
    result = send(transport, base + "/hop/3")
    assert (result.status, result.error_code) == (200, None)
    assert result.final_url == base + "/voice"
    assert result.redirects == [base + "/hop/2?code=302", base + "/hop/1?code=302", base + "/voice"]
    # The result describes the request the emulator made; final_url is where it ended.
    assert result.url == base + "/hop/3" and result.method == "POST"
    # 302 turns the POST into a body-less GET, as every HTTP client does.
    assert app.seen[-1]["method"] == "GET" and app.seen[-1]["form"] == {}
    assert app.seen[-1]["valid"]


def test_307_keeps_the_method_and_the_form(channel):
    transport, base, app = channel
    result = send(transport, base + "/hop/2?code=307")
    assert result.status == 200 and result.ok
    final = app.seen[-1]
    assert final["method"] == "POST" and final["valid"] and final["form"]["CallSid"] == ["CA0001"]


def test_ten_redirects_are_allowed_the_eleventh_is_11215(channel):
    transport, base, _ = channel
    assert send(transport, base + "/hop/10").ok
    result = send(transport, base + "/hop/11")
    assert result.error_code == 11215
    assert result.status == 302 and "redirects" in result.error_message


def test_max_redirects_comes_from_the_config(channel):
    transport, base, _ = channel
    transport.config.webhook_max_redirects = 1
    assert send(transport, base + "/hop/1").ok
    assert send(transport, base + "/hop/2").error_code == 11215


@pytest.mark.parametrize("status", [404, 500, 503])
def test_error_status_is_11217_and_the_body_is_kept(channel, status):
    transport, base, _ = channel
    result = send(transport, f"{base}/fail/{status}")
    assert (result.status, result.error_code, result.body) == (status, 11217, b"it broke")
    assert not result.ok


def test_cookies_are_sent_back(channel):
    transport, base, app = channel
    send(transport, base + "/cookie")
    send(transport, base + "/cookie")
    assert app.seen[0]["cookies"] == {}
    assert app.seen[1]["cookies"] == {"session": "visit-1"}


def test_invalid_url_is_11100_and_nothing_is_sent(channel):
    transport, _, app = channel
    result = send(transport, "ftp://127.0.0.1/voice")
    assert (result.status, result.error_code) == (None, 11100)
    assert app.seen == []


def test_http_connection_refused_is_11205():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port is closed now: nothing listens.
    result = send(HttpTransport(EmulatorConfig(webhook_connect_timeout=1.0)), f"http://127.0.0.1:{port}/voice")
    assert (result.status, result.error_code) == (None, 11205)
    assert result.error_message.startswith("HTTP connection failure")


def test_http_slow_answer_times_out_with_11205(served):
    _, server = served
    transport = HttpTransport(EmulatorConfig(webhook_read_timeout=0.2))
    result = send(transport, server.url + "/slow")
    assert (result.status, result.error_code) == (None, 11205)


def test_http_read_timeout_bounds_the_whole_response_not_each_read(served):
    # Bytes arrive every 0.1 s for 1 s: each read is quick, the whole answer is not.
    _, server = served
    result = send(HttpTransport(EmulatorConfig(webhook_read_timeout=0.3)), server.url + "/trickle")
    assert result.error_code == 11205


def test_http_fragment_overrides_the_read_timeout(served):
    _, server = served
    result = send(HttpTransport(EmulatorConfig()), server.url + "/slow#rt=200")
    assert result.error_code == 11205


def test_http_ignores_proxy_environment(served, monkeypatch):
    _, server = served
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would refuse every request
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    assert send(HttpTransport(EmulatorConfig()), server.url + "/voice").ok


def test_http_transport_is_usable_from_several_threads(served):
    app, server = served
    transport = HttpTransport(EmulatorConfig())
    results = []

    def worker(i):
        results.append(send(transport, server.url + "/voice", params=[("CallSid", f"CA{i:04d}")]))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r.ok for r in results)
    transport.close()


def test_wsgi_app_exception_is_a_500_with_11200():
    result = send(WsgiTransport(_raising_app), "http://app.test/crash")
    assert (result.status, result.error_code) == (500, 11200)
    assert b"handler bug" in result.body
    assert "RuntimeError: handler bug" in result.error_message


def test_flask_in_testing_mode_propagates_and_still_becomes_11200():
    app = make_app()
    app.config["TESTING"] = True  # Flask re-raises instead of answering 500
    result = send(WsgiTransport(app), "http://app.test/crash")
    assert (result.status, result.error_code) == (500, 11200)


def test_wsgi_request_looks_like_http_to_the_app():
    app = make_app()
    result = send(WsgiTransport(app), "https://app.example.com/voice?tenant=7")
    seen = app.seen[-1]
    assert result.ok and seen["valid"]
    assert seen["url"] == "https://app.example.com/voice?tenant=7"
    assert seen["headers"]["Host"] == "app.example.com"
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def _raising_app(environ, start_response):
    raise RuntimeError("handler bug")


def test_an_answer_over_the_size_bound_is_11200_not_read_to_the_end(served):
    _, server = served
    transport = HttpTransport(EmulatorConfig(max_audio_bytes=100_000))
    try:
        result = send(transport, server.url + "/huge")
        assert result.error_code == 11200 and "max_audio_bytes" in result.error_message
        assert result.body == b""
    finally:
        transport.close()
    roomy = HttpTransport(EmulatorConfig())
    try:
        assert len(send(roomy, server.url + "/huge").body) == 300_000
    finally:
        roomy.close()
