"""The WSGI entry of one Emulator: the Flask app is built once per process and shared; each
request carries its Emulator in the WSGI environ, and the views bind the world from the
request's credentials.  Building an Emulator therefore does no Flask work, and importing this
module imports no Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.test import Client

    from .emulator import Emulator

ENVIRON_KEY = "twilio_conf_emulator.emulator"


class EmulatorApp:
    """A WSGI callable for one Emulator, over the process's shared Flask app."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        from .app import serve

        environ[ENVIRON_KEY] = self.emulator
        return serve(self.emulator, environ, start_response)

    def __getattr__(self, name: str) -> Any:
        """Anything else (``url_map``, ``config``...) is the shared Flask app's (TaskRouter's
        ``/v1`` routes are ``app.taskrouter_app()``'s, built on the first TaskRouter request)."""
        if name.startswith("__"):
            raise AttributeError(name)
        from .app import shared_app

        return getattr(shared_app(), name)

    def test_client(self) -> Client:
        """A werkzeug test client (``.get``, ``.post(json=...)``, responses with ``.json``)."""
        from werkzeug.test import Client

        return Client(self)


def create_app(emulator: Emulator) -> EmulatorApp:
    """A WSGI app serving ``emulator`` (the shared Flask app, bound to it)."""
    return EmulatorApp(emulator)
