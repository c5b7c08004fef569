"""Webhooks over real HTTP, behaving like Twilio's fetcher (twilio-behavior.md §5.5).

* Cookies the app sets are kept and sent back, in one jar per transport.
* Redirects are followed by :mod:`.delivery` (up to ``webhook_max_redirects``), never by
  requests, so every hop is re-signed and counted.
* Timeouts: ``webhook_connect_timeout`` to connect, then ``webhook_read_timeout`` for the
  *whole* response (Twilio: "total 15 s to receive the response"), not just between bytes.
  ``#ct=``/``#rt=``/``#tt=`` URL fragments override them per URL, in milliseconds.
* Proxies from the environment are ignored (``trust_env = False``): an HTTP_PROXY meant for
  the internet must never swallow a webhook to localhost.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from ..config import EmulatorConfig
from ..late_imports import whole
from . import codes
from .delivery import Exchange, Transport
from .wire import encode_body

if TYPE_CHECKING:  # annotations only; requests is imported with the first webhook sent
    import requests
    from requests.cookies import RequestsCookieJar

    from .wire import Prepared

CHUNK = 64 * 1024


class _ResponseTimeout(Exception):
    pass


class _ResponseTooLarge(Exception):
    pass


class HttpTransport(Transport):
    def __init__(self, config: EmulatorConfig | None = None, cookies: RequestsCookieJar | None = None) -> None:
        # Keep the config itself: a setting changed at run time applies to the next webhook.
        self.config = config if config is not None else EmulatorConfig()
        self._cookies = cookies
        # requests.Session is not documented as thread-safe, so each thread gets its own;
        # they share the cookie jar (http.cookiejar locks internally).
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    @property
    def cookies(self) -> RequestsCookieJar:
        """The jar every session of this transport shares (made, with requests, when first
        needed: a server that sends no webhook never imports requests)."""
        if self._cookies is None:
            whole("requests")  # from whichever thread sends first (late_imports.py)
            from requests.cookies import RequestsCookieJar

            with self._lock:
                if self._cookies is None:
                    self._cookies = RequestsCookieJar()
        return self._cookies

    @property
    def max_redirects(self) -> int:  # type: ignore[override]
        return self.config.webhook_max_redirects

    def exchange(self, method: str, prepared: Prepared, overrides: dict[str, float]) -> Exchange:
        import requests

        connect = overrides.get("connect", self.config.webhook_connect_timeout)
        read = overrides.get("read", self.config.webhook_read_timeout)
        deadline = time.monotonic() + overrides.get("total", read)
        try:
            with self._session().request(
                method,
                prepared.url,
                data=encode_body(prepared.body_params) if method == "POST" else None,
                headers=prepared.headers,
                timeout=(connect, read),
                allow_redirects=False,
                stream=True,
            ) as response:
                body = self._read_body(response, deadline, self.config.max_audio_bytes)
                return Exchange(status=response.status_code, headers=dict(response.headers), body=body)
        except _ResponseTooLarge as exc:
            return _failure(codes.HTTP_RETRIEVAL_FAILURE, f"{prepared.url}: {exc}")
        except (_ResponseTimeout, requests.exceptions.Timeout) as exc:
            return _failure(codes.HTTP_CONNECTION_FAILURE, f"timed out requesting {prepared.url} ({exc})")
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema) as exc:
            return _failure(codes.INVALID_URL, f"{prepared.url}: {exc}")
        except requests.exceptions.ConnectionError as exc:
            return _failure(codes.HTTP_CONNECTION_FAILURE, f"could not connect to {prepared.url} ({_root_cause(exc)})")
        except Exception as exc:  # noqa: BLE001 - any other failure is Twilio's generic 11200, never a crash
            return _failure(codes.HTTP_RETRIEVAL_FAILURE, f"{prepared.url}: {type(exc).__name__}: {exc}")

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            session.trust_env = False
            session.cookies = self.cookies
            session.headers.clear()  # only the headers Twilio sends (see wire.sign_and_build)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    @staticmethod
    def _read_body(response: requests.Response, deadline: float,
                   limit: int | None = None) -> bytes:
        # Bounded in time (the deadline) and size: no answer (TwiML or audio) may be larger
        # than the largest audio input the emulator accepts.
        chunks, size = [], 0
        for chunk in response.iter_content(CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                raise _ResponseTooLarge(f"the response is over max_audio_bytes ({limit} bytes)")
            if time.monotonic() > deadline:
                raise _ResponseTimeout("the response did not finish in time")
        if time.monotonic() > deadline:
            raise _ResponseTimeout("the response did not finish in time")
        return b"".join(chunks)


def _failure(code: int, detail: str) -> Exchange:
    return Exchange(error_code=code, error_message=codes.describe(code, detail))


def _root_cause(exc: BaseException) -> str:
    """The innermost reason ("Connection refused") rather than urllib3's nested repr."""
    cause = exc
    for _ in range(8):  # bounded: exception chains can, rarely, loop
        nxt = getattr(cause, "reason", None) or cause.__context__
        if not isinstance(nxt, BaseException) or nxt is cause:
            break
        cause = nxt
    return str(cause) or type(cause).__name__
