"""Serve a WSGI app on 127.0.0.1 in a background thread, for webhooks over real HTTP.

Used by the tests of this package and by anyone who wants the HTTP path without running
their app by hand::

    with LiveServer(app) as server:
        client.incoming_phone_numbers.create(phone_number="+15550001111",
                                             voice_url=server.url + "/voice")
"""

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the emulator's journal is the record of what was sent."""

    def log_request(self, *args, **kwargs):
        pass


class LiveServer:
    def __init__(self, app, host="127.0.0.1", port=0, quiet=True):
        # threaded: a slow handler must not stop the next request (timeouts are tested so).
        handler = _QuietHandler if quiet else None
        self._server = make_server(host, port, app, threaded=True, request_handler=handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
