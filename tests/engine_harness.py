"""Run the same behaviour test in-process and against ``twilio-conf-emulator serve``.

``Harness`` gives a test one surface either way: ``emu`` (an ``Emulator`` or a
``RemoteEmulator``), ``client`` (twilio-python), ``url(path)`` (where the app under test
listens) and ``received`` (every webhook the app got, with whether its X-Twilio-Signature
validated under ``twilio.request_validator.RequestValidator``). In-process the app gets its
webhooks straight through WSGI; against the server, over real HTTP from a ``LiveServer``.
"""

import atexit
import os
import subprocess
import sys
import tempfile
import time

from flask import Flask, request
from twilio.request_validator import RequestValidator

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.remote import RemoteEmulator
from twilio_conf_emulator.webhooks.live_server import LiveServer

BACKENDS = ("inproc", "serve")
_SERVER = {}


def serve_process(extra_args=(), env=None):
    """Start ``serve --port 0`` (manual clock, in-memory store); return (proc, url)."""
    ready = tempfile.NamedTemporaryFile(prefix="emu-ready-", delete=False)
    ready.close()
    os.unlink(ready.name)
    environ = dict(os.environ, TWILIO_EMULATOR_READY_FILE=ready.name, **(env or {}))
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        if not env or name not in env:
            environ.pop(name, None)
    # The server's stderr goes to a file, not a pipe: nobody reads a pipe while the server
    # runs, and once a burst of logged errors filled it, every thread that logs would block.
    err = tempfile.TemporaryFile(prefix="emu-stderr-")
    proc = subprocess.Popen(
        [sys.executable, "-m", "twilio_conf_emulator.cli", "serve", "--port", "0",
         "--clock", "manual", "--db", "sqlite://", *extra_args],
        env=environ, stdout=subprocess.DEVNULL, stderr=err,
    )
    proc.stderr_file = err  # read with server_stderr(proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.path.exists(ready.name):
            with open(ready.name) as fh:
                url = fh.read().strip()
            if url:
                os.unlink(ready.name)
                return proc, url
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited: {server_stderr(proc).decode()}")
        time.sleep(0.02)  # waiting for a child process to listen, not for virtual time
    proc.kill()
    raise RuntimeError("serve did not become ready in 30 s")


def server_stderr(proc):
    """Everything a ``serve_process`` server wrote to stderr so far (bytes)."""
    proc.stderr_file.seek(0)
    return proc.stderr_file.read()


def shared_server_url():
    """One ``serve`` process for the whole test session."""
    if "url" not in _SERVER:
        proc, url = serve_process()
        _SERVER.update(proc=proc, url=url)
        atexit.register(_stop_server)
    return _SERVER["url"]


def _stop_server():
    proc = _SERVER.get("proc")
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


class Received(list):
    def kind(self, path):
        return [r for r in self if r["path"] == path]

    def params(self, path):
        return [r["params"] for r in self if r["path"] == path]


def webhook_app(token, received, handlers):
    """A small app that validates every request's signature and records it."""
    app = Flask("webhook-receiver")
    validator = RequestValidator(token)

    @app.route("/<path:path>", methods=["GET", "POST"])
    def hook(path):
        params = request.form.to_dict() if request.method == "POST" else {}
        sig = request.headers.get("X-Twilio-Signature", "")
        # The URL exactly as requested: werkzeug's ``request.url`` is an IRI that decodes
        # ``%2C`` and ``%3A`` in a GET query, which is not the URL that was signed.
        url = request.base_url
        if request.query_string:
            url += "?" + request.query_string.decode("ascii")
        received.append({
            "path": "/" + path, "method": request.method, "url": url,
            "params": params if request.method == "POST" else request.args.to_dict(),
            "valid": validator.validate(url, params, sig),
        })
        handler = handlers.get("/" + path)
        if handler is not None:
            return handler(received[-1])
        return "", 204

    return app


class Harness:
    def __init__(self, backend):
        self.backend = backend
        self.received = Received()
        self.handlers = {}
        if backend == "inproc":
            self.emu = Emulator(config=EmulatorConfig(strict_actions=True))
            self.token = self.emu.auth_token
            self.app = webhook_app(self.token, self.received, self.handlers)
            # Only the app's host: any other URL (a closed port) still goes over real HTTP.
            self.emu.deliver_webhooks_to(self.app, host="app.example.com")
            self.base = "https://app.example.com"
            self._server = None
        else:
            self.emu = RemoteEmulator(shared_server_url())
            self.emu.reset()
            self.token = self.emu.auth_token
            self.app = webhook_app(self.token, self.received, self.handlers)
            self._server = LiveServer(self.app).start()
            self.base = self._server.url
        self.client = self.emu.client

    def url(self, path):
        return self.base + path

    def close(self):
        if self._server is not None:
            self._server.stop()
        self.emu.stop()

    # -- conveniences -------------------------------------------------------------------------
    def add(self, conference, to, events=("start", "end", "join", "leave", "mute", "hold",
                                          "modify", "announcement"), **kwargs):
        kwargs.setdefault("from_", "+15550100000")
        kwargs.setdefault("conference_status_callback", self.url("/conf"))
        kwargs.setdefault("conference_status_callback_event", list(events))
        return self.client.conferences(conference).participants.create(to=to, **kwargs)

    def conf_events(self):
        return [p["StatusCallbackEvent"] for p in self.received.params("/conf")]
