"""``RemoteEmulator``: the :class:`~twilio_conf_emulator.Emulator` surface over a running
server's control API (``/_emulator/*``), with ``requests``.

    emu = RemoteEmulator("http://127.0.0.1:8080")
    emu.reset()
    emu.client.conferences("Room").participants.create(from_="+15550001111", to="+15550002222")
    emu.advance(5)
    emu.webhooks.assert_events(["participant-join"], exact=False)

Only what can cross a process boundary is offered: ``deliver_webhooks_to`` (a WSGI app in
*this* process) cannot be, so it raises; serve the app over HTTP instead
(``webhooks.live_server.LiveServer``).
"""

import os

import requests
import requests.auth

from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from .journal import JournalView


class RemoteError(RuntimeError):
    """The control API answered with an error."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        super().__init__(f"emulator control API answered HTTP {status}: {body}")


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token):
        self.token = token

    def __call__(self, r):
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


class RemoteJournal(JournalView):
    def __init__(self, remote):
        self._remote = remote

    def _fetch(self, kind=None, conference_sid=None, call_sid=None, account_sid=None,
               since_id=None):
        query = {k: v for k, v in (("kind", kind), ("conference_sid", conference_sid),
                                   ("call_sid", call_sid), ("account_sid", account_sid),
                                   ("since_id", since_id)) if v}
        return _entries(self._remote._request("GET", "/webhooks", params=query)["webhooks"])


def _entries(entries):
    """JSON lists back to the ``(name, value)`` tuples the in-process journal gives."""
    for e in entries:
        e["params"] = [tuple(p) for p in e["params"]]
    return entries


class RemoteEmulator:
    def __init__(self, base_url, account_sid=None, auth_token=None, timeout=120.0,
                 admin_token=None):
        self.base_url = base_url.rstrip("/")
        self.account_sid = (account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
                            or DEFAULT_ACCOUNT_SID)
        self.auth_token = (auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
                           or DEFAULT_AUTH_TOKEN)
        self.timeout = timeout
        self.admin_token = admin_token or os.environ.get("TWILIO_EMULATOR_ADMIN_TOKEN") or None
        self._session = requests.Session()
        self._session.trust_env = False  # HTTP(S)_PROXY must never capture loopback traffic
        # Control routes act on the world of these credentials (the account's own world).
        self._session.auth = (self.account_sid, self.auth_token)
        self._client = None

    # -- plumbing ------------------------------------------------------------------------------
    def _request(self, method, path, json=None, params=None, auth=None):
        resp = self._session.request(method, f"{self.base_url}/_emulator{path}", json=json,
                                     params=params, timeout=self.timeout, auth=auth)
        try:
            body = resp.json()
        except ValueError:
            body = resp.text
        if resp.status_code >= 400:
            raise RemoteError(resp.status_code, body)
        return body

    def health(self):
        return self._request("GET", "/health")

    # -- the clock -----------------------------------------------------------------------------
    def advance(self, seconds=0.0):
        """Run everything due in the next ``seconds`` of virtual time; returns the new time."""
        return self._request("POST", "/clock/advance", json={"seconds": float(seconds)})["epoch"]

    def now(self):
        return self._request("GET", "/clock")["epoch"]

    # -- state ---------------------------------------------------------------------------------
    def reset(self):
        self._request("POST", "/reset")

    def create_account(self, sid=None, auth_token=None, friendly_name=None):
        """A new account with its own world (``POST /_emulator/accounts``; beyond loopback
        the server wants the admin token, given here or in TWILIO_EMULATOR_ADMIN_TOKEN)."""
        body = {k: v for k, v in (("sid", sid), ("auth_token", auth_token),
                                  ("friendly_name", friendly_name)) if v}
        out = self._request("POST", "/accounts", json=body,
                            auth=_Bearer(self.admin_token) if self.admin_token else None)
        return out["sid"], out["auth_token"]

    def close_account(self):
        """Drop this account and its world on the server (``DELETE /_emulator/accounts/<sid>``)."""
        self._request("DELETE", f"/accounts/{self.account_sid}")

    def world(self, account_sid, auth_token):
        """A RemoteEmulator for another account's world on the same server."""
        return RemoteEmulator(self.base_url, account_sid, auth_token, self.timeout,
                              self.admin_token)

    def phone(self, number, account_sid=None, **behaviour):
        body = {"number": number, **behaviour}
        if account_sid:
            body["account_sid"] = account_sid
        return self._request("POST", "/phones", json=body)

    def call(self, **caller):
        """A virtual caller dials ``to`` (``POST /_emulator/calls``); returns its Call SID."""
        if "from_" in caller:
            caller["from"] = caller.pop("from_")
        return self._request("POST", "/calls", json=caller)["call_sid"]

    # -- webhooks ------------------------------------------------------------------------------
    @property
    def webhooks(self):
        return RemoteJournal(self)

    def replay_webhooks(self, ids, url=None):
        body = {"ids": list(ids)}
        if url:
            body["url"] = url
        return _entries(self._request("POST", "/webhooks/replay", json=body)["webhooks"])

    def alerts(self):
        return self._request("GET", "/alerts")["alerts"]

    def deliver_webhooks_to(self, wsgi_app, host=None):
        raise NotImplementedError(
            "a remote emulator cannot call a WSGI app in this process; serve the app over "
            "HTTP (twilio_conf_emulator.webhooks.live_server.LiveServer) and use its URL")

    # -- clients -------------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self, account_sid=None, auth_token=None):
        from .client import server_client

        return server_client(self.base_url, account_sid or self.account_sid,
                             auth_token or self.auth_token)

    def stop(self):
        self._session.close()
