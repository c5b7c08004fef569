"""The ``proxy`` and ``env`` commands, and ``serve --https-proxy``: any Twilio client, in any
language, talks to the emulator through the environment alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

if TYPE_CHECKING:  # annotations only
    from .proxy import HttpsProxy

STATE_HELP = ("Directory of the local CA (default: $TWILIO_EMULATOR_HOME, else "
              "~/.twilio-conf-emulator).")


TUNNEL_HELP = ("Pass CONNECT to this host through untouched (repeatable); every other "
               "host but *.twilio.com is refused.")


def start_proxy(upstream: tuple[str, int], port: int, host: str = "127.0.0.1", state: str | None = None,
                echo: bool = True, tunnel: Iterable[str] = ()) -> HttpsProxy:
    """Start the HTTPS proxy in a thread; errors as one-line ClickExceptions."""
    from .proxy import HttpsProxy
    from .proxy_ca import CertificateAuthority

    try:
        ca = CertificateAuthority(state)
    except OSError as err:
        raise click.ClickException(f"--state-dir: cannot keep the CA in "
                                   f"{err.filename or state}: {err.strerror}") from None
    try:
        proxy = HttpsProxy(upstream, host=host, port=port, ca=ca, tunnel=tunnel)
    except OSError as err:
        raise click.ClickException(f"--https-proxy {port}: cannot listen on {host}:{port}: "
                                   f"{err.strerror}") from None
    if echo:
        click.echo(f"HTTPS proxy for *.twilio.com on {proxy.url} (CA {ca.cert_path}); "
                   f"eval \"$(twilio-conf-emulator env --proxy-port {proxy.port})\"", err=True)
    return proxy


@click.command("proxy")
@click.option("--server", default="http://127.0.0.1:8080", show_default=True, metavar="URL",
              help="The running 'twilio-conf-emulator serve' to relay to.")
@click.option("--port", default=8443, show_default=True, type=int, help="Port of the proxy.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--state-dir", default=None, metavar="DIR", help=STATE_HELP)
@click.option("--tunnel", multiple=True, metavar="HOST", help=TUNNEL_HELP)
def proxy_cmd(server: str, port: int, host: str, state_dir: str | None, tunnel: tuple[str, ...]) -> None:
    """An HTTPS proxy answering for *.twilio.com with the emulator at --server.

    Clients with no base-URL setting (twilio-cli, curl, Java, Go, C#, Ruby, PHP) reach the
    emulator through it: it terminates TLS for api.twilio.com with a local CA and refuses
    every other host, so nothing reaches the real Twilio.  Export the lines that
    'twilio-conf-emulator env' prints in the client's shell.
    """
    url = urlsplit(server)
    if url.scheme != "http" or not url.hostname:
        raise click.ClickException(f"--server {server!r}: give http://HOST:PORT")
    proxy = start_proxy((url.hostname, url.port or 80), port, host, state_dir, tunnel=tunnel)
    try:
        proxy.serve_forever()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass


@click.command("env")
@click.option("--proxy-port", default=8443, show_default=True, type=int,
              help="Port of the running proxy (serve --https-proxy PORT, or proxy --port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Host of the proxy.")
@click.option("--state-dir", default=None, metavar="DIR", help=STATE_HELP)
def env_cmd(proxy_port: int, host: str, state_dir: str | None) -> None:
    """Print the shell lines that send every Twilio client through the HTTPS proxy.

    \b
    Use:  eval "$(twilio-conf-emulator env --proxy-port 8443)"
    The CA is created on first use, so the paths are valid before the proxy starts.
    """
    from .proxy import env_lines
    from .proxy_ca import CertificateAuthority

    try:
        ca = CertificateAuthority(state_dir)
    except OSError as err:
        raise click.ClickException(f"--state-dir: cannot keep the CA in "
                                   f"{err.filename or state_dir}: {err.strerror}") from None
    for line in env_lines(f"http://{host}:{proxy_port}", ca.cert_path):
        click.echo(line)
