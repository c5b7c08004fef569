"""twilio-python, pointed at the emulator with no change to the user's code.

- :class:`EmulatorHttpClient`: a real-socket ``HttpClient`` that sends every ``*.twilio.com``
  request to a running emulator (nothing can reach real Twilio by accident).
- :class:`InProcessHttpClient`: calls the emulator's WSGI app directly, no socket at all.

    from twilio.rest import Client
    client = Client(sid, token, http_client=EmulatorHttpClient("http://127.0.0.1:8080"))
"""

from __future__ import annotations

import logging
from base64 import b64encode
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from werkzeug.test import run_wsgi_app

from .webhooks import wsgi_environ
from .webhooks.wire import form_encode


def _is_twilio(host: str | None) -> bool:
    return host is not None and (host == "twilio.com" or host.endswith(".twilio.com"))


class EmulatorHttpClient(TwilioHttpClient):
    """Rewrites ``https://*.twilio.com/...`` to ``base_url`` and sends it over HTTP."""

    def __init__(self, base_url: str = "http://127.0.0.1:8080", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._base = urlsplit(base_url.rstrip("/"))
        # HTTP(S)_PROXY must never capture loopback traffic.
        if self.session is not None:
            self.session.trust_env = False

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        p = urlsplit(url)
        if _is_twilio(p.hostname):
            url = urlunsplit((self._base.scheme, self._base.netloc,
                              self._base.path + p.path, p.query, p.fragment))
        return super().request(method, url, *args, **kwargs)


class InProcessHttpClient(HttpClient):
    """Serves twilio-python's requests from the emulator's WSGI app in this process."""

    def __init__(self, wsgi_app: Any) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), False)
        self._app = wsgi_app

    def request(self, method: str, url: str, params: Any = None, data: Any = None,
                headers: Mapping[str, str] | None = None, auth: tuple[str, str] | None = None,
                timeout: float | None = None, allow_redirects: bool = False) -> Response:
        p = urlsplit(url)
        query = p.query
        if params:
            extra = _form(params)
            query = f"{query}&{extra}" if query else extra
        headers = dict(headers or {})
        if auth:
            token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        body = _form(data) if data else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # The environ werkzeug's test client would build, written directly (see
        # webhooks/wsgi_environ: a third of an in-process request went to building it).
        environ = wsgi_environ.build(
            method.upper(), urlunsplit((p.scheme or "https", p.netloc or "api.twilio.com",
                                        p.path, query, "")),
            {k: v for k, v in headers.items() if k.lower() != "content-type"},
            body.encode() if body is not None else None, headers.get("Content-Type"))
        environ["REMOTE_ADDR"] = "127.0.0.1"  # as werkzeug's test client says
        app_iter, status, resp_headers = run_wsgi_app(self._app, environ, buffered=True)
        text = b"".join(app_iter).decode()
        self.last_response = Response(int(status.split(None, 1)[0]), text, dict(resp_headers))
        return self.last_response


def _form(mapping: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """``urlencode(_items(mapping), doseq=True)``, encoded as webhooks are (``wire.form_encode``:
    one translate for ASCII text)."""
    return form_encode([(str(k), str(v)) for k, v in _items(mapping)])


def _items(mapping: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A dict whose values may be lists -> ordered pairs, dropping None like twilio-python."""
    out: list[tuple[str, Any]] = []
    for k, v in (mapping.items() if hasattr(mapping, "items") else mapping):
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            out.extend((k, x) for x in v)
        else:
            out.append((k, v))
    return out


def in_process_client(emulator: Any, account_sid: str, auth_token: str) -> Any:
    """A twilio-python Client served by ``emulator.app`` in this process (no socket)."""
    from twilio.rest import Client

    client = Client(account_sid, auth_token, http_client=InProcessHttpClient(emulator.app))
    client.edge = client.region = None  # TWILIO_EDGE/REGION would rewrite the host
    return client


def server_client(base_url: str, account_sid: str, auth_token: str) -> Any:
    """A twilio-python Client for an emulator served at ``base_url``."""
    from twilio.rest import Client

    client = Client(account_sid, auth_token, http_client=EmulatorHttpClient(base_url))
    client.edge = client.region = None
    return client
