"""The WSGI entry of one Emulator: the Flask app is built once per process and shared; each
request carries its Emulator in the WSGI environ, and the views bind the world from the
request's credentials.  Building an Emulator therefore does no Flask work, and importing this
module imports no Flask.
"""

ENVIRON_KEY = "twilio_conf_emulator.emulator"


class EmulatorApp:
    """A WSGI callable for one Emulator, over the process's shared Flask app."""

    def __init__(self, emulator):
        self.emulator = emulator

    def __call__(self, environ, start_response):
        from .app import serve

        environ[ENVIRON_KEY] = self.emulator
        return serve(self.emulator, environ, start_response)

    def __getattr__(self, name):
        """Anything else (``url_map``, ``config``...) is the shared Flask app's."""
        if name.startswith("__"):
            raise AttributeError(name)
        from .app import shared_app

        return getattr(shared_app(), name)

    def test_client(self):
        """A werkzeug test client (``.get``, ``.post(json=...)``, responses with ``.json``)."""
        from werkzeug.test import Client

        return Client(self)


def create_app(emulator):
    """A WSGI app serving ``emulator`` (the shared Flask app, bound to it)."""
    return EmulatorApp(emulator)
