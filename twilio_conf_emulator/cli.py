"""The ``twilio-conf-emulator`` command."""

import os

import click

from . import __version__
from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, EmulatorConfig
from .store.db import DEFAULT_SERVE_DB


@click.group()
@click.version_option(__version__)
def main():
    """A local, deterministic emulator of Twilio's Programmable Voice Conference API.

    Point twilio-python at it (``client.api.base_url = "http://127.0.0.1:8080"``), script
    virtual callers against it, and assert on the webhooks it sent.
    """


def _parse_settings(values):
    """``--set name=value`` pairs -> config changes (JSON values, else strings)."""
    import json

    changes = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        try:
            changes[name] = json.loads(raw)
        except ValueError:
            changes[name] = raw
    return changes


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="TCP port (0: any free).")
@click.option("--db", "db_url", default=DEFAULT_SERVE_DB, show_default=True,
              help="SQLAlchemy URL of the store ('sqlite://' keeps it in memory).")
@click.option("--clock", "clock_mode", type=click.Choice(["manual", "realtime"]),
              default="realtime", show_default=True,
              help="realtime follows the wall clock; manual moves only on "
                   "POST /_emulator/clock/advance.")
@click.option("--speed", default=1.0, show_default=True, type=float,
              help="Virtual seconds per wall second in realtime mode.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed for SIDs: the same calls with the same seed give the same SIDs.")
@click.option("--account-sid", envvar="TWILIO_ACCOUNT_SID", default=DEFAULT_ACCOUNT_SID,
              show_default=True, help="The account credentials the emulator accepts "
                                      "(also TWILIO_ACCOUNT_SID).")
@click.option("--auth-token", envvar="TWILIO_AUTH_TOKEN", default=DEFAULT_AUTH_TOKEN,
              show_default=True, help="Its auth token, also used to sign webhooks "
                                      "(also TWILIO_AUTH_TOKEN).")
@click.option("--threads", default=16, show_default=True, type=int,
              help="Server threads: a webhook handler that calls the API back needs a free one.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Change an assumption (see README 'Assumptions'), e.g. --set ring_delay=2.")
def serve(host, port, db_url, clock_mode, speed, seed, account_sid, auth_token, threads,
          settings):
    """Serve the REST API (2010-04-01) and the /_emulator control API over HTTP."""
    from waitress.server import create_server

    from .emulator import Emulator

    config = EmulatorConfig().update(**_parse_settings(settings))
    emu = Emulator(db_url=db_url, clock=clock_mode, speed=speed, seed=seed,
                   account_sid=account_sid, auth_token=auth_token, config=config)
    server = create_server(emu.app, host=host, port=port, threads=threads, ident="twilio-conf-emulator")
    actual_port = server.effective_port
    click.echo(f"twilio-conf-emulator {__version__} on http://{host}:{actual_port} "
               f"(clock {clock_mode}, account {account_sid}, store {db_url})", err=True)
    ready = os.environ.get("TWILIO_EMULATOR_READY_FILE")
    if ready:
        with open(ready, "w") as fh:
            fh.write(f"http://{host}:{actual_port}\n")
    emu.start_realtime()
    try:
        server.run()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        emu.stop()


@main.command()
@click.argument("conference_sid")
@click.option("--server", default="http://127.0.0.1:8080", show_default=True, metavar="URL",
              help="Base URL of a running 'twilio-conf-emulator serve'.")
@click.option("--out", "out", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              metavar="FILE.html",
              help="Where to write the page ('-' for standard output).  "
                   "[default: CONFERENCE_SID.html]")
def timeline(conference_sid, server, out):
    """Save the timeline of a conference as one HTML page.

    Fetches GET /_emulator/conferences/CONFERENCE_SID/timeline.html from the server: a
    row per participant over virtual time (mm:ss from the conference's creation) showing
    when it was waiting, in, talking, muted, on hold, coaching and hearing an
    announcement, with conference start/end markers and every status callback sent
    (hover a tick for its StatusCallbackEvent).  The page is self-contained: open it
    from disk or attach it to a CI run.  A conference still in progress is drawn up to
    the server's virtual now.

    \b
    Example:
      twilio-conf-emulator timeline CF0123456789abcdef0123456789abcdef \\
          --server http://127.0.0.1:8080 --out room.html
    """
    import requests

    url = f"{server.rstrip('/')}/_emulator/conferences/{conference_sid}/timeline.html"
    try:
        resp = requests.get(url, timeout=60)
    except requests.RequestException as err:
        raise click.ClickException(f"cannot reach {server}: {err}") from None
    if resp.status_code != 200:
        try:  # the emulator answers errors with Twilio's JSON body
            message = resp.json().get("message") or resp.text
        except ValueError:
            message = resp.text
        raise click.ClickException(f"{resp.status_code} from {url}: {message}")
    out = out or f"{conference_sid}.html"
    with click.open_file(out, "wb") as fh:
        fh.write(resp.content)
    if out != "-":
        click.echo(f"wrote {out}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
