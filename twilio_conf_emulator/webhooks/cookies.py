"""Cookie handling for transports that do not go through requests.Session (the WSGI one),
with the same jar type and policy, so "cookies accepted and sent back" behaves the same
whichever way a webhook travels."""

import http.client
from types import SimpleNamespace

from requests.cookies import MockRequest, MockResponse, get_cookie_header


def cookie_header(jar, url):
    """The ``Cookie`` header the jar would send to ``url``, or None."""
    return get_cookie_header(jar, SimpleNamespace(url=url, headers={}))


def store_cookies(jar, url, header_items):
    """Keep every ``Set-Cookie`` in ``header_items`` (a list of (name, value)) for ``url``."""
    message = http.client.HTTPMessage()
    for name, value in header_items:
        message[name] = value  # email.message.Message appends, so repeated headers survive
    jar.extract_cookies(MockResponse(message), MockRequest(SimpleNamespace(url=url, headers={})))
