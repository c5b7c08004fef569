"""Router: which transport carries a webhook, per URL and per redirect hop."""

import threading

from flask import Flask, Response, redirect, request
from twilio.request_validator import RequestValidator

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.webhooks.transport import (
    HttpTransport,
    OutboundRequest,
    Router,
    Transport,
    WsgiTransport,
)

TOKEN = "router-token"


def named_app(name):
    app = Flask(name)
    app.hits = []

    @app.route("/<path:path>", methods=["GET", "POST"])
    def anything(path):
        valid = RequestValidator(TOKEN).validate(request.url, request.form, request.headers["X-Twilio-Signature"])
        app.hits.append((request.method, request.url, valid))
        if path.startswith("go-to-b"):
            return redirect("http://b.test/landed", code=307)
        return Response(f"<Response><Say>{name}</Say></Response>", content_type="text/xml")

    return app


def post(router, url):
    return router.deliver(OutboundRequest(url, "POST", [("CallSid", "CA1")], "voice"), TOKEN)


class Refuse(Transport):
    """A transport that must not be used; delivering through it fails the test."""

    def exchange(self, method, prepared, overrides):
        raise AssertionError(f"routed to the wrong transport: {prepared.url}")


def test_routes_by_host_port_and_prefix_longest_first():
    a, b, c = named_app("a"), named_app("b"), named_app("c")
    router = Router(EmulatorConfig(), default=Refuse())
    router.route("a.test", WsgiTransport(a))
    router.route("b.test:8080", WsgiTransport(b))
    router.route("http://a.test/special/", WsgiTransport(c))

    assert post(router, "http://a.test/voice").body == b"<Response><Say>a</Say></Response>"
    assert post(router, "http://a.test:9999/voice").body.endswith(b"<Say>a</Say></Response>")  # a host matches any port
    assert post(router, "http://b.test:8080/voice").body.endswith(b"<Say>b</Say></Response>")
    assert post(router, "http://a.test/special/deep").body.endswith(b"<Say>c</Say></Response>")
    assert post(router, "HTTP://A.TEST/special/x").body.endswith(b"<Say>c</Say></Response>")  # case-insensitive host


def test_unrouted_urls_go_to_the_default_then_route_all_takes_over():
    app, everything = named_app("default"), named_app("all")
    router = Router(EmulatorConfig(), default=WsgiTransport(app))
    assert post(router, "http://anywhere.test/x").ok and len(app.hits) == 1

    specific = named_app("specific")
    router.route("pinned.test", WsgiTransport(specific))
    router.route_all(WsgiTransport(everything))
    post(router, "http://anywhere.test/x")
    post(router, "http://pinned.test/x")
    assert len(everything.hits) == 1 and len(specific.hits) == 1 and len(app.hits) == 1

    router.route_all(None)
    router.unroute("pinned.test")
    post(router, "http://pinned.test/x")
    assert len(app.hits) == 2


def test_default_is_real_http():
    assert isinstance(Router(EmulatorConfig()).default, HttpTransport)


def test_each_redirect_hop_is_routed_on_its_own_url():
    a, b = named_app("a"), named_app("b")
    router = Router(EmulatorConfig(), default=Refuse())
    router.route("a.test", WsgiTransport(a))
    router.route("b.test", WsgiTransport(b))
    result = post(router, "http://a.test/go-to-b")
    assert result.ok and result.final_url == "http://b.test/landed"
    assert result.body.endswith(b"<Say>b</Say></Response>")
    assert b.hits == [("POST", "http://b.test/landed", True)]


def test_deliver_from_many_threads_while_routes_change():
    apps = [named_app(f"app{i}") for i in range(4)]
    router = Router(EmulatorConfig(), default=WsgiTransport(apps[0]))
    results, errors = [], []

    def sender(n):
        try:
            for _ in range(20):
                results.append(post(router, f"http://h{n % 4}.test/voice"))
        except Exception as exc:  # pragma: no cover - only on failure
            errors.append(exc)

    def rerouter():
        for i in range(50):
            router.route(f"h{i % 4}.test", WsgiTransport(apps[i % 4]))
            router.unroute(f"h{(i + 1) % 4}.test")

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(6)] + [threading.Thread(target=rerouter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 120 and all(r.ok for r in results)
    assert sum(len(app.hits) for app in apps) == 120
