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

from __future__ import annotations

import os
from typing import Any

import requests
import requests.auth

from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from .faces import Digits
from .journal import JournalView


class RemoteError(RuntimeError):
    """The control API answered with an error."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        super().__init__(f"emulator control API answered HTTP {status}: {body}")


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: Any) -> Any:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


class RemoteJournal(JournalView):
    def __init__(self, remote: RemoteEmulator) -> None:
        self._remote = remote

    def _fetch(self, kind: str | None = None, conference_sid: str | None = None,
               call_sid: str | None = None, account_sid: str | None = None,
               since_id: int | str | None = None) -> list[dict[str, Any]]:
        query = {k: v for k, v in (("kind", kind), ("conference_sid", conference_sid),
                                   ("call_sid", call_sid), ("account_sid", account_sid),
                                   ("since_id", since_id)) if v}
        return _entries(self._remote._request("GET", "/webhooks", params=query)["webhooks"])


def _entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON lists back to the ``(name, value)`` tuples the in-process journal gives."""
    for e in entries:
        e["params"] = [tuple(p) for p in e["params"]]
    return entries


class RemoteEmulator:
    """The :class:`~twilio_conf_emulator.faces.EmulatorFace` of a server started with
    ``twilio-conf-emulator serve``, at ``base_url``."""

    def __init__(self, base_url: str, account_sid: str | None = None,
                 auth_token: str | None = None, timeout: float = 120.0,
                 admin_token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_sid: str = (account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
                            or DEFAULT_ACCOUNT_SID)
        self.auth_token: str = (auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
                           or DEFAULT_AUTH_TOKEN)
        self.timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # HTTP(S)_PROXY must never capture loopback traffic
        self.admin_token = admin_token or os.environ.get("TWILIO_EMULATOR_ADMIN_TOKEN") or None
        # Control routes act on the world of these credentials (the account's own world).
        self._session.auth = (self.account_sid, self.auth_token)
        self._client: Any = None

    # -- plumbing ------------------------------------------------------------------------------
    def _request(self, method: str, path: str, json: Any = None,
                 params: dict[str, Any] | None = None, auth: Any = None) -> Any:
        resp = self._session.request(method, f"{self.base_url}/_emulator{path}", json=json,
                                     params=params, timeout=self.timeout, auth=auth)
        try:
            body = resp.json()
        except ValueError:
            body = resp.text
        if resp.status_code >= 400:
            raise RemoteError(resp.status_code, body)
        return body

    def health(self) -> dict[str, Any]:
        """``GET /_emulator/health``."""
        return dict(self._request("GET", "/health"))

    # -- the clock -----------------------------------------------------------------------------
    def advance(self, seconds: float = 0.0) -> float:
        """Run everything due in the next ``seconds`` of virtual time; returns the new time."""
        return float(self._request("POST", "/clock/advance",
                                   json={"seconds": float(seconds)})["epoch"])

    def now(self) -> float:
        """The server's virtual time, epoch seconds."""
        return float(self._request("GET", "/clock")["epoch"])

    # -- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """Drop all state but accounts and config."""
        self._request("POST", "/reset")

    def create_account(self, sid: str | None = None, auth_token: str | None = None,
                       friendly_name: str | None = None) -> tuple[str, str]:
        """A fresh, isolated account with its own world: ``(sid, auth_token)`` (beyond
        loopback the server wants the admin token: given here or TWILIO_EMULATOR_ADMIN_TOKEN)."""
        body = {k: v for k, v in (("sid", sid), ("auth_token", auth_token),
                                  ("friendly_name", friendly_name)) if v}
        out = self._request("POST", "/accounts", json=body,
                            auth=_Bearer(self.admin_token) if self.admin_token else None)
        return out["sid"], out["auth_token"]

    def close_account(self) -> None:
        """Drop this account and its world on the server (``DELETE /_emulator/accounts/<sid>``)."""
        self._request("DELETE", f"/accounts/{self.account_sid}")

    def world(self, account_sid: str, auth_token: str) -> RemoteEmulator:
        """A RemoteEmulator for another account's world on the same server."""
        return RemoteEmulator(self.base_url, account_sid, auth_token, self.timeout,
                              self.admin_token)

    def phone(self, number: str, account_sid: str | None = None,
              **behaviour: Any) -> dict[str, Any]:
        """How ``number`` behaves when the emulator dials it (``POST /_emulator/phones``)."""
        body = {"number": number, **behaviour}
        if account_sid:
            body["account_sid"] = account_sid
        return dict(self._request("POST", "/phones", json=body))

    def call(self, from_: str, to: str, audio: str | dict[str, Any] | None = None,
             digits: Digits | None = None,
             hangup_after: float | None = None,
             speech: list[dict[str, Any]] | None = None) -> str:
        """A virtual caller dials ``to`` (``POST /_emulator/calls``); returns its Call SID."""
        body: dict[str, Any] = {"from": from_, "to": to}
        if audio is not None:
            body["audio"] = audio
        if digits is not None:
            body["digits"] = [d if isinstance(d, dict) else {"at": d[0], "digits": d[1]}
                              for d in digits]
        if hangup_after is not None:
            body["hangup_after"] = hangup_after
        if speech is not None:
            body["speech"] = speech
        return str(self._request("POST", "/calls", json=body)["call_sid"])

    def press(self, call_sid: str, digits: str) -> None:
        """The party on ``call_sid`` presses ``digits`` now."""
        self._request("POST", f"/calls/{call_sid}/digits", json={"digits": str(digits)})

    def hangup(self, call_sid: str) -> None:
        """The party on ``call_sid`` hangs up now."""
        self._request("POST", f"/calls/{call_sid}/hangup")

    def call_audio(self, call_sid: str) -> bytes:
        """What ``call_sid`` heard, as WAV bytes (``GET /_emulator/calls/<sid>/audio.wav``)."""
        resp = self._session.get(f"{self.base_url}/_emulator/calls/{call_sid}/audio.wav",
                                 timeout=self.timeout)
        if resp.status_code >= 400:
            raise RemoteError(resp.status_code, resp.text)
        return resp.content

    # -- webhooks ------------------------------------------------------------------------------
    @property
    def webhooks(self) -> RemoteJournal:
        """The server's webhook journal."""
        return RemoteJournal(self)

    def replay_webhooks(self, ids: list[int], url: str | None = None) -> list[dict[str, Any]]:
        """Re-send journal entries now, re-signed; the new entries."""
        body: dict[str, Any] = {"ids": list(ids)}
        if url:
            body["url"] = url
        return _entries(self._request("POST", "/webhooks/replay", json=body)["webhooks"])

    def alerts(self) -> list[dict[str, Any]]:
        """Debugger notifications, in order."""
        return list(self._request("GET", "/alerts")["alerts"])

    def deliver_webhooks_to(self, wsgi_app: Any, host: str | None = None) -> Any:
        """Not possible across processes: raises ``NotImplementedError``."""
        raise NotImplementedError(
            "a remote emulator cannot call a WSGI app in this process; serve the app over "
            "HTTP (twilio_conf_emulator.webhooks.live_server.LiveServer) and use its URL")

    # -- clients -------------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """A twilio-python ``Client`` for the default account, pointed at the server."""
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self, account_sid: str | None = None, auth_token: str | None = None) -> Any:
        """A twilio-python ``Client`` for another account (or API key)."""
        from .client import server_client

        return server_client(self.base_url, account_sid or self.account_sid,
                             auth_token or self.auth_token)

    def stop(self) -> None:
        """Close the HTTP session."""
        self._session.close()
