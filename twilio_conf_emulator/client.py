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
from urllib.parse import urlencode, urlsplit, urlunsplit

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from werkzeug.test import Client as WerkzeugClient


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
        self._client = WerkzeugClient(wsgi_app)

    def request(self, method: str, url: str, params: Any = None, data: Any = None,
                headers: Mapping[str, str] | None = None, auth: tuple[str, str] | None = None,
                timeout: float | None = None, allow_redirects: bool = False) -> Response:
        p = urlsplit(url)
        query = p.query
        if params:
            extra = urlencode(_items(params), doseq=True)
            query = f"{query}&{extra}" if query else extra
        headers = dict(headers or {})
        if auth:
            token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        body = urlencode(_items(data), doseq=True) if data else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        resp = self._client.open(
            path=p.path, query_string=query, method=method.upper(), data=body,
            headers=headers, base_url=f"{p.scheme or 'https'}://{p.netloc or 'api.twilio.com'}",
        )
        text = resp.get_data(as_text=True)
        self.last_response = Response(resp.status_code, text, dict(resp.headers))
        return self.last_response


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
