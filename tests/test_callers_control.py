"""Inbound virtual callers through the control API and from Python: routing by the number's
VoiceUrl, scripted and commanded key presses and hang-ups."""

from flask import Flask
from twilio.twiml.voice_response import Gather, VoiceResponse

NUMBER = "+15550700000"


def make_app():
    app = Flask(__name__)

    @app.post("/ok")
    def ok():
        r = VoiceResponse()
        g = Gather(num_digits=2, timeout=10, action="/got")
        g.say("Enter two digits.")
        r.append(g)
        return str(r), 200, {"Content-Type": "text/xml"}

    @app.post("/got")
    def got():
        r = VoiceResponse()
        r.pause(length=100)
        return str(r), 200, {"Content-Type": "text/xml"}

    return app


def number(emu, url):
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER, voice_url=url,
                                             status_callback="http://app.test/status")


def test_call_to_an_unknown_number_fails_with_an_alert(emu):
    sid = emu.call("+15551230001", "+15550009999")
    emu.advance(1)
    assert emu.client.calls(sid).fetch().status == "failed"
    assert [a["code"] for a in emu.alerts()] == [21211]
    assert emu.webhooks.all() == []


def test_control_api_caller_over_http_routes(emu):
    emu.deliver_webhooks_to(make_app())
    number(emu, "http://app.test/ok")
    c = emu.app.test_client()
    r = c.post("/_emulator/calls", json={"from": "+15551230001", "to": NUMBER,
                                         "hangup_after": 0.5})
    assert r.status_code == 201
    sid = r.get_json()["call_sid"]
    assert c.post(f"/_emulator/calls/{sid}/digits", json={"digits": "1"}).status_code == 200
    assert c.post("/_emulator/calls/CA" + "0" * 32 + "/hangup").status_code == 404
    assert c.post("/_emulator/calls", json={"from": "x"}).status_code == 400
    c.post("/_emulator/clock/advance", json={"seconds": 1})
    call = emu.client.calls(sid).fetch()
    assert call.status == "completed" and call.duration == "0"


def test_commanded_digits_reach_the_gather_and_hangup_ends_the_call(emu):
    emu.deliver_webhooks_to(make_app())
    number(emu, "http://app.test/ok")
    c = emu.app.test_client()
    sid = c.post("/_emulator/calls", json={"from": "+15551230001", "to": NUMBER,
                                           "digits": [{"at": 1, "digits": "4"}]}).get_json()["call_sid"]
    emu.advance(3)
    c.post(f"/_emulator/calls/{sid}/digits", json={"digits": "2"})
    emu.advance(0)
    got = emu.webhooks.params(kind="gather", call_sid=sid)
    assert [g["Digits"] for g in got] == ["42"]
    c.post(f"/_emulator/calls/{sid}/hangup")
    emu.advance(0)
    call = emu.client.calls(sid).fetch()
    assert call.status == "completed" and call.duration == "3"
    status = emu.webhooks.params(kind="call-status", call_sid=sid)
    assert [s["CallStatus"] for s in status] == ["completed"]
    assert status[0]["Direction"] == "inbound" and status[0]["CallDuration"] == "3"
