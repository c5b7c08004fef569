"""Serve a WSGI app on 127.0.0.1 in a background thread, for webhooks over real HTTP.

Used by the tests of this package and by anyone who wants the HTTP path without running
their app by hand::

    with LiveServer(app) as server:
        client.incoming_phone_numbers.create(phone_number="+15550001111",
                                             voice_url=server.url + "/voice")
"""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the emulator's journal is the record of what was sent."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LiveServer:
    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> None:
        # threaded: a slow handler must not stop the next request (timeouts are tested so).
        handler = _QuietHandler if quiet else None
        self._server = make_server(host, port, app, threaded=True, request_handler=handler)
        self._server.daemon_threads = True  # type: ignore[attr-defined]  # threaded=True: a ThreadingMixIn
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
