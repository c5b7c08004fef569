"""The in-process webhook environ is built directly (issue 11, speed); an app must see
exactly what werkzeug's EnvironBuilder gave it before, for every URL shape."""

import pytest
from werkzeug.test import EnvironBuilder

from twilio_conf_emulator.webhooks import wsgi_environ
from twilio_conf_emulator.webhooks.urls import canonical
from twilio_conf_emulator.webhooks.wire import FORM_CONTENT_TYPE

URLS = [
    "https://app.test/conf",
    "http://app.test:8080/a/b?x=1&y=%2F",
    "https://app.test",
    "https://app.test/p%20q/r%C3%A9s?CallSid=CA1&Timestamp=Fri,+18+Feb+2011+19:26:50+%2B0000",
    "https://App.Test/Upper",
    "https://app.test/caf\u00e9/x?q=\u00e9",
    "http://127.0.0.1:5000/hook;v=1/~x(1)*",
    "https://xn--caf-dma.test/a",
]


def reference(method, url, headers, body, content_type):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    b = EnvironBuilder(path=parts.path or "/", base_url=f"{parts.scheme}://{parts.netloc}",
                       query_string=parts.query, method=method, headers=headers, data=body,
                       content_type=content_type)
    try:
        return b.get_environ()
    finally:
        b.close()


def comparable(environ):
    out = dict(environ)
    out["wsgi.input"] = out["wsgi.input"].read()
    return out


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("method,body", [("POST", b"CallSid=CA1&Muted=true"), ("POST", b""),
                                         ("GET", None)])
def test_the_environ_is_the_one_werkzeug_builds(url, method, body):
    url = canonical(url)
    headers = {"User-Agent": "TwilioProxy/1.1", "Accept": "*/*", "X-Twilio-Signature": "s=",
               "I-Twilio-Idempotency-Token": "abc", "Cookie": "session=1"}
    content_type = FORM_CONTENT_TYPE if method == "POST" else None
    got = wsgi_environ.build(method, url, dict(headers), body, content_type)
    want = reference(method, url, dict(headers), body, content_type)
    assert comparable(got) == comparable(want)
