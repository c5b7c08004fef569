"""Webhooks delivered straight into a WSGI app, in-process, with no socket.

The app must not be able to tell this from HTTP: the environ carries the same path, query
string, Host (so Flask's ``request.url`` is the signed URL), headers and form body, and the
answer becomes the same DeliveryResult.  Used by ``Emulator.deliver_webhooks_to(app)``.
"""

from __future__ import annotations

import threading
import traceback
from typing import TYPE_CHECKING, Any

from werkzeug.test import run_wsgi_app

from ..config import EmulatorConfig
from ..late_imports import whole
from . import codes, wsgi_environ
from .cookies import cookie_header, store_cookies
from .delivery import Exchange, Transport
from .wire import encode_body

if TYPE_CHECKING:  # annotations only
    from requests.cookies import RequestsCookieJar

    from .wire import Prepared


class WsgiTransport(Transport):
    def __init__(self, app: Any, config: EmulatorConfig | None = None,
                 cookies: RequestsCookieJar | None = None) -> None:
        self.app = app
        self.config = config if config is not None else EmulatorConfig()
        if cookies is None:
            whole("requests")  # with the first WSGI app given (late_imports.py)
            from requests.cookies import RequestsCookieJar

            cookies = RequestsCookieJar()
        self.cookies = cookies
        self._lock = threading.Lock()  # guards the jar's read-modify-write per response

    @property
    def max_redirects(self) -> int:  # type: ignore[override]
        return self.config.webhook_max_redirects

    def exchange(self, method: str, prepared: Prepared, overrides: dict[str, float]) -> Exchange:
        # Timeouts (``overrides``) do not apply: the app runs on this thread, to completion.
        environ = self._environ(method, prepared)
        try:
            app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
            body = b"".join(app_iter)
        except Exception as exc:  # noqa: BLE001 - the app's bug becomes a webhook failure, as over HTTP
            return Exchange(
                status=500,
                headers={"Content-Type": "text/plain; charset=utf-8"},
                body=traceback.format_exc().encode("utf-8"),
                error_code=codes.HTTP_RETRIEVAL_FAILURE,
                error_message=codes.describe(
                    codes.HTTP_RETRIEVAL_FAILURE, f"{prepared.url} raised {type(exc).__name__}: {exc}"
                ),
            )
        items = list(headers.items())
        with self._lock:
            store_cookies(self.cookies, prepared.url, items)
        return Exchange(status=int(status.split(None, 1)[0]), headers=_as_dict(items), body=body)

    def _environ(self, method: str, prepared: Prepared) -> dict[str, Any]:
        headers = dict(prepared.headers)
        content_type = headers.pop("Content-Type", None)
        with self._lock:
            cookie = cookie_header(self.cookies, prepared.url)
        if cookie:
            headers["Cookie"] = cookie
        body = encode_body(prepared.body_params) if method == "POST" else None
        return wsgi_environ.build(method, prepared.url, headers, body, content_type)


def _as_dict(items: Any) -> dict[str, str]:
    """Header list -> dict, joining repeats with ", " exactly as requests does over HTTP."""
    merged: dict[str, str] = {}
    for name, value in items:
        for key in merged:
            if key.lower() == name.lower():
                merged[key] = f"{merged[key]}, {value}"
                break
        else:
            merged[name] = value
    return merged
