"""twilio-python, pointed at the emulator with no change to the user's code.

- :class:`EmulatorHttpClient`: a real-socket ``HttpClient`` that sends every ``*.twilio.com``
  request to a running emulator (nothing can reach real Twilio by accident).
- :class:`InProcessHttpClient`: calls the emulator's WSGI app directly, no socket at all.

    from twilio.rest import Client
    client = Client(sid, token, http_client=EmulatorHttpClient("http://127.0.0.1:8080"))
"""

from urllib.parse import urlencode, urlsplit, urlunsplit

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from werkzeug.test import Client as WerkzeugClient


def _is_twilio(host):
    return bool(host) and (host == "twilio.com" or host.endswith(".twilio.com"))


class EmulatorHttpClient(TwilioHttpClient):
    """Rewrites ``https://*.twilio.com/...`` to ``base_url`` and sends it over HTTP."""

    def __init__(self, base_url="http://127.0.0.1:8080", **kwargs):
        super().__init__(**kwargs)
        self._base = urlsplit(base_url.rstrip("/"))
        # HTTP(S)_PROXY must never capture loopback traffic.
        if self.session is not None:
            self.session.trust_env = False

    def request(self, method, url, *args, **kwargs):
        p = urlsplit(url)
        if _is_twilio(p.hostname):
            url = urlunsplit((self._base.scheme, self._base.netloc,
                              self._base.path + p.path, p.query, p.fragment))
        return super().request(method, url, *args, **kwargs)


class InProcessHttpClient(HttpClient):
    """Serves twilio-python's requests from the emulator's WSGI app in this process."""

    def __init__(self, wsgi_app):
        import logging

        super().__init__(logging.getLogger("twilio.http_client"), False)
        self._client = WerkzeugClient(wsgi_app)

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        p = urlsplit(url)
        query = p.query
        if params:
            extra = urlencode(_items(params), doseq=True)
            query = f"{query}&{extra}" if query else extra
        headers = dict(headers or {})
        if auth:
            from base64 import b64encode

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


def _items(mapping):
    """A dict whose values may be lists -> ordered pairs, dropping None like twilio-python."""
    out = []
    for k, v in (mapping.items() if hasattr(mapping, "items") else mapping):
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            out.extend((k, x) for x in v)
        else:
            out.append((k, v))
    return out


def in_process_client(emulator, account_sid, auth_token):
    from twilio.rest import Client

    client = Client(account_sid, auth_token, http_client=InProcessHttpClient(emulator.app))
    client.edge = client.region = None  # TWILIO_EDGE/REGION would rewrite the host
    return client


def server_client(base_url, account_sid, auth_token):
    """A twilio-python Client for an emulator served at ``base_url``."""
    from twilio.rest import Client

    client = Client(account_sid, auth_token, http_client=EmulatorHttpClient(base_url))
    client.edge = client.region = None
    return client
