"""The in-process client sends twilio-python's requests as its HTTP client would put them on
the wire: the same form body and query string, byte for byte (it encodes them itself)."""

import pytest
import requests

from twilio_conf_emulator.client import InProcessHttpClient

CASES = [
    {"To": "+15550000001", "From": "client:alice", "Timeout": 30, "Muted": "true",
     "StatusCallbackEvent": ["initiated", "ringing", "answered"], "Label": None},
    {"Url": "https://app.test/a b?c=d&e=\u00e9#frag", "Label": "\u00fc ~._-/+%&="},
    [("A", "1"), ("A", "2"), ("B", "x/y")],
]


def capture():
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        seen["query"] = environ["QUERY_STRING"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]
    return app, seen


@pytest.mark.parametrize("data", CASES)
def test_a_form_body_is_what_requests_would_send(data):
    app, seen = capture()
    InProcessHttpClient(app).request("POST", "https://api.twilio.com/x.json", data=data)
    wire = requests.Request("POST", "https://api.twilio.com/x.json", data=data).prepare()
    assert seen["body"] == wire.body.encode()


@pytest.mark.parametrize("params", CASES)
def test_a_query_string_is_what_requests_would_send(params):
    app, seen = capture()
    InProcessHttpClient(app).request("GET", "https://api.twilio.com/x.json", params=params)
    wire = requests.Request("GET", "https://api.twilio.com/x.json", params=params).prepare()
    assert seen["query"] == wire.url.split("?", 1)[1]
