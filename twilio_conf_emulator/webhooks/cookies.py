"""Cookie handling for transports that do not go through requests.Session (the WSGI one),
with the same jar type and policy, so "cookies accepted and sent back" behaves the same
whichever way a webhook travels."""

from __future__ import annotations

import http.client
from collections.abc import Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING

from ..late_imports import whole

if TYPE_CHECKING:  # annotations only; requests itself is imported with the first webhook
    from requests.cookies import RequestsCookieJar

_SET_COOKIE = ("set-cookie", "set-cookie2")  # the headers CookieJar.extract_cookies reads


def cookie_header(jar: RequestsCookieJar, url: str) -> str | None:
    """The ``Cookie`` header the jar would send to ``url``, or None."""
    if not len(jar):
        return None  # the usual case, and what the jar would answer
    whole("requests")  # from whichever thread asks first (late_imports.py)
    from requests.cookies import get_cookie_header

    # requests' own mocks accept anything with .url and .headers (duck typing, as requests does).
    return get_cookie_header(jar, SimpleNamespace(url=url, headers={}))  # type: ignore[arg-type]


def store_cookies(jar: RequestsCookieJar, url: str, header_items: Iterable[tuple[str, str]]) -> None:
    """Keep every ``Set-Cookie`` in ``header_items`` (a list of (name, value)) for ``url``."""
    header_items = list(header_items)
    if not any(name.lower() in _SET_COOKIE for name, _ in header_items):
        return  # nothing for the jar to extract (most answers)
    whole("requests")
    from requests.cookies import MockRequest, MockResponse

    message = http.client.HTTPMessage()
    for name, value in header_items:
        message[name] = value  # email.message.Message appends, so repeated headers survive
    jar.extract_cookies(MockResponse(message),  # type: ignore[arg-type]
                        MockRequest(SimpleNamespace(url=url, headers={})))  # type: ignore[arg-type]
