"""The ``twilio-conf-emulator`` command."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from .cli_errors import OneLineErrors, check_db_url, exit_for_alerts, fail_on_alert_option, open_error
from .cli_proxy import STATE_HELP, env_cmd, proxy_cmd, start_proxy
from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, EmulatorConfig
from .store.db import DEFAULT_SERVE_DB
from .version import __version__

if TYPE_CHECKING:  # annotations only
    from .scenario import Target


@click.group(cls=OneLineErrors)
@click.version_option(__version__)
def main() -> None:
    """A local, deterministic emulator of Twilio's Programmable Voice Conference API.

    Point twilio-python at it (client.api.base_url = "http://127.0.0.1:8080"), or any
    Twilio client through 'serve --https-proxy 8443' and 'env'; script virtual callers
    against it, and assert on the webhooks it sent.
    """


main.add_command(proxy_cmd)
main.add_command(env_cmd)


def is_loopback(host: str) -> bool:
    """True when every address ``host`` binds is a loopback one (127.0.0.0/8, ::1,
    localhost); ``0.0.0.0``, ``::`` and every other name are not."""
    import ipaddress
    import socket

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_loopback
                               for i in infos)


def _parse_settings(values: Iterable[str]) -> dict[str, Any]:
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
@click.option("--allow-files", "allow_files", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False),
              help="A directory local audio and file: URLs may be read from (repeatable). "
                   "Default: any path on a loopback-only server, none on any other bind.")
@click.option("--fetch-allow", "fetch_allow", multiple=True, metavar="HOST[:PORT]",
              help="Only send webhooks to / fetch TwiML and audio from these hosts "
                   "(repeatable; default: any).")
@click.option("--https-proxy", "proxy_port", type=int, default=None, metavar="PORT",
              help="Also answer HTTPS for *.twilio.com on this port (a CONNECT proxy with a "
                   "local CA; see the 'env' command).")
@click.option("--state-dir", default=None, metavar="DIR", help=STATE_HELP)
@click.option("--admin-token", envvar="TWILIO_EMULATOR_ADMIN_TOKEN", default=None,
              help="Bearer token that POST /_emulator/accounts needs when --host is not "
                   "loopback (also TWILIO_EMULATOR_ADMIN_TOKEN).")
def serve(host: str, port: int, db_url: str, clock_mode: str, speed: float, seed: int, account_sid: str,
          auth_token: str, threads: int, settings: tuple[str, ...], proxy_port: int | None,
          state_dir: str | None, admin_token: str | None, allow_files: tuple[str, ...],
          fetch_allow: tuple[str, ...]) -> None:
    """Serve the REST API (2010-04-01) and the /_emulator control API over HTTP."""
    from sqlalchemy.exc import SQLAlchemyError
    from waitress.server import create_server

    from .emulator import Emulator
    from .media.audio import say_engine
    from .store.lease import StoreInUse, acquire

    changes = _parse_settings(settings)
    if "loopback_only" in changes:
        raise click.BadParameter("loopback_only follows --host", param_hint="--set")
    try:
        config = EmulatorConfig().update(**changes)
    except KeyError as err:
        raise click.BadParameter(f"unknown setting(s): {err}", param_hint="--set") from None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--set") from None
    config.loopback_only = is_loopback(host)
    if allow_files:
        config.allow_files = [os.path.abspath(d) for d in allow_files]
    if fetch_allow:
        config.fetch_allow = list(fetch_allow)
    check_db_url(db_url)
    try:
        lease = acquire(db_url)  # one serve per database
    except StoreInUse as err:
        raise click.ClickException(str(err)) from None
    except Exception as err:  # an unreachable database, a missing driver: one line too
        raise open_error(db_url, err) from None
    try:
        emu = Emulator(db_url=db_url, clock=clock_mode, speed=speed, seed=seed,
                       account_sid=account_sid, auth_token=auth_token, config=config,
                       admin_token=admin_token or None)
    except SQLAlchemyError as err:
        lease.release()
        raise open_error(db_url, err) from None
    try:
        server = create_server(emu.app, host=host, port=port, threads=threads,
                               ident="twilio-conf-emulator")
    except OSError as err:
        emu.stop()
        lease.release()
        raise click.ClickException(f"--port {port}: cannot listen on {host}:{port}: "
                                   f"{err.strerror}") from None
    actual_port = server.effective_port
    click.echo(f"twilio-conf-emulator {__version__} on http://{host}:{actual_port} "
               f"(clock {clock_mode}, account {account_sid}, store {db_url}); <Say> uses "
               + ("espeak-ng" if say_engine() == "espeak-ng"
                  else "the tone stand-in (espeak-ng not installed or not chosen)"), err=True)
    if not config.loopback_only:
        click.echo(f"listening beyond loopback ({host}): control routes need the account's "
                   "credentials; creating accounts needs "
                   + ("the admin token" if admin_token else "--admin-token (not set: disabled)"),
                   err=True)
    if proxy_port is not None:
        start_proxy((host, actual_port), proxy_port, state=state_dir).start()
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
        lease.release()


@main.command()
@click.argument("conference_sid")
@click.option("--server", default="http://127.0.0.1:8080", show_default=True, metavar="URL",
              help="Base URL of a running 'twilio-conf-emulator serve'.")
@click.option("--out", "out", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              metavar="FILE.html",
              help="Where to write the page ('-' for standard output).  "
                   "[default: CONFERENCE_SID.html]")
def timeline(conference_sid: str, server: str, out: str | None) -> None:
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
    # The conference's world is the account's: send its credentials (needed beyond loopback).
    auth = (os.environ.get("TWILIO_ACCOUNT_SID") or DEFAULT_ACCOUNT_SID,
            os.environ.get("TWILIO_AUTH_TOKEN") or DEFAULT_AUTH_TOKEN)
    try:
        resp = requests.get(url, timeout=60, auth=auth)
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



# -- virtual callers and scenarios ---------------------------------------------------------------
def _target(server: str | None, app: str | None, seed: int, base_dir: str | None = None) -> Target:
    """A scenario.Target: a running server (``--server``) or a fresh in-process emulator whose
    webhooks go straight into the user's WSGI app (``--app``)."""
    from . import scenario

    if server and app:
        raise click.UsageError("give --server or --app, not both")
    if server:
        return scenario.Remote(server)
    from .emulator import Emulator

    emu = Emulator(seed=seed)
    if app:
        try:
            emu.deliver_webhooks_to(scenario.import_app(app, base_dir))
        except (ImportError, AttributeError, scenario.ScenarioError) as err:
            raise click.ClickException(f"--app {app!r}: cannot load it: {err}") from None
    return scenario.InProcess(emu)


def _progress(enabled: bool) -> Callable[[float, float], None] | None:
    if not enabled:
        return None

    def show(done: float, total: float) -> None:
        click.echo(f"\r  running: virtual time {done:8.1f} / {total:.1f} s", err=True,
                   nl=done >= total)

    return show


def _say(text: str) -> None:
    click.echo(f"  {text}", err=True)


@main.command("call")
@click.option("--to", "to", required=True, help="The number the caller dials (an "
              "IncomingPhoneNumber: its VoiceUrl decides what happens).")
@click.option("--from", "from_", default="+15550000001", show_default=True,
              help="The caller's number (From).")
@click.option("--audio", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A WAV file: the caller's voice.")
@click.option("--digits", "digits", multiple=True, metavar="SECONDS:KEYS",
              help="Press KEYS at SECONDS after dialling, e.g. --digits 3:1 --digits 10:42#. "
                   "Repeatable.")
@click.option("--speech", "speech", multiple=True, metavar="SECONDS:TEXT",
              help="Say TEXT at SECONDS after dialling (heard by a speech <Gather>), e.g. "
                   "--speech '2:pay my bill'. Repeatable.")
@click.option("--hangup-after", type=float, default=None, metavar="SECONDS",
              help="Hang up this many seconds after dialling (default: stay on the line).")
@click.option("--voice-url", default=None, metavar="URL",
              help="Create the number --to with this VoiceUrl first (in-process runs start "
                   "empty, so use it with --app; e.g. http://app.local/voice).")
@click.option("--server", default=None, metavar="URL",
              help="A running 'twilio-conf-emulator serve' (e.g. http://127.0.0.1:8080).")
@click.option("--app", "app", default=None, metavar="MODULE:APP",
              help="Run in-process and deliver every webhook to this WSGI app "
                   "(package.module:app, or package.module:create_app()).")
@click.option("--advance", type=float, default=None, metavar="SECONDS",
              help="Virtual seconds to run after dialling (default: --hangup-after, else 60). "
                   "0 leaves the clock alone (a realtime server runs on its own).")
@click.option("--seed", default=0, show_default=True, type=int, help="In-process: SID seed.")
@fail_on_alert_option
def call_cmd(to: str, from_: str, audio: str | None, digits: tuple[str, ...], speech: tuple[str, ...],
             hangup_after: float | None, voice_url: str | None, server: str | None, app: str | None,
             advance: float | None, seed: int, fail_on_alert: str) -> None:
    """Place one virtual inbound call and print what the emulator sent.

    The caller dials --to; the emulator requests that number's VoiceUrl with Twilio's
    parameters (signed), runs the TwiML that comes back, presses the --digits at their times
    and hangs up after --hangup-after.  Then the clock advances --advance virtual seconds and
    the webhook journal of the call is printed as a table.

    \b
    Examples:
      twilio-conf-emulator call --server http://127.0.0.1:8080 --to +15550001000 \\
          --digits 3:1 --hangup-after 120
      twilio-conf-emulator call --app myapp.web:app --voice-url http://app.local/voice \\
          --to +15550001000 --digits 3:2
    """
    from . import scenario

    try:
        script = scenario.parse_digits(digits)
    except scenario.ScenarioError as err:
        raise click.BadParameter(str(err), param_hint="--digits") from None
    try:
        said = scenario.parse_speech(speech)
    except scenario.ScenarioError as err:
        raise click.BadParameter(str(err), param_hint="--speech") from None
    target = _target(server, app, seed)
    if voice_url:
        status, body = target.api("POST", "IncomingPhoneNumbers.json",
                                  {"PhoneNumber": to, "VoiceUrl": voice_url})
        if status >= 400:
            raise click.ClickException(f"--to {to}: cannot create the number: HTTP {status} "
                                       f"{scenario.describe(body)}")
    start = target.control("GET", "/clock")["epoch"]
    payload: dict[str, Any] = {"from": from_, "to": to, "digits": script}
    if audio:
        payload["audio"] = os.path.abspath(audio)
    if hangup_after is not None:
        payload["hangup_after"] = hangup_after
    if said:
        payload["speech"] = said
    try:
        sid = target.control("POST", "/calls", payload)["call_sid"]
        seconds = advance if advance is not None else (hangup_after if hangup_after is not None
                                                        else 60.0)
        if seconds:
            target.control("POST", "/clock/advance", {"seconds": seconds})
        journal = [e for e in target.control("GET", "/webhooks")["webhooks"]
                   if e.get("call_sid") == sid]
        alerts = [a for a in target.control("GET", "/alerts")["alerts"]
                  if a.get("call_sid") == sid]
    except scenario.ScenarioError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"call {sid}")
    click.echo(scenario.table({"journal": journal, "start": start, "calls": {"caller": sid}}))
    for a in alerts:
        click.echo(f"alert {a['code']} ({a['level']}): {a['message']}")
    exit_for_alerts(alerts, fail_on_alert)


@main.group()
def scenario() -> None:
    """Run scripted scenarios: numbers, virtual phones, callers and API actions over
    virtual time."""


@scenario.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--server", default=None, metavar="URL",
              help="Run against a running 'twilio-conf-emulator serve --clock manual'.")
@click.option("--app", "app", default=None, metavar="MODULE:APP",
              help="Run in-process, webhooks delivered to this WSGI app (overrides the "
                   "file's 'app').")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Save journal.json and every call's audio (<caller>-<CallSid>.wav) here.")
@click.option("--progress/--no-progress", default=None,
              help="Show virtual-time progress on stderr (default: for runs over 10 minutes).")
@click.option("--json", "as_json", is_flag=True, help="Print the journal as JSON, not a table.")
@fail_on_alert_option
def scenario_run(file: str, server: str | None, app: str | None, out_dir: str | None,
                 progress: bool | None, as_json: bool, fail_on_alert: str) -> None:
    """Run the scenario FILE (YAML or JSON) and print its webhook journal.

    \b
    A scenario lists:
      run       virtual seconds to run
      seed      SID seed (in-process)
      app       package.module:app receiving webhooks (in-process)
      numbers   [{number, voice_url, voice_method, voice_fallback_url, status_callback}]
      phones    [{number, answer_after, outcome, audio, hangup_after, digits,
                  answered_by, greeting_seconds}]
      callers   [{name, from, to, at, audio, digits: ["3:1", ...], hangup_after,
                  count, every}]   (count repeats a caller; {n} in 'from' numbers them)
      actions   [{at, method, path, data}]   REST calls; {name} is that caller's CallSid
      taskrouter  {workspace, queues, workflows, workers}   (see scenario_taskrouter.py)

    Unknown keys are errors (the file is checked against the JSON Schema in
    twilio_conf_emulator/schemas/scenario.schema.json); paths in the file (audio, the app's
    module) are relative to the file.  With --server the server is reset first, so the run
    sees only its own calls and alerts.  The same file with the same seed prints the same
    journal, byte for byte.  See fixtures/scenario_conference.yaml for an example.
    """
    from . import scenario as sc_mod

    try:
        sc = sc_mod.load(file)
        target = _target(server, app or (None if server else sc.get("app")), sc["seed"],
                         sc["base_dir"])
        if server:
            target.control("POST", "/reset")
        show = _progress(progress if progress is not None else sc["run"] > 600)
        result = sc_mod.run(sc, target, progress=show)
    except sc_mod.ScenarioError as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        click.echo(json.dumps(result["journal"], indent=2, sort_keys=True))
    else:
        click.echo(sc_mod.table(result))
    errors = [a for a in result["alerts"] if a["level"] != "warning"]
    click.echo(f"{len(result['journal'])} webhooks, {len(result['calls'])} callers, "
               f"{len(errors)} error alerts")
    for a in result["alerts"]:
        click.echo(f"alert {a['code']} ({a['level']}): {a['message']}")
    if out_dir:
        saved = sc_mod.save(result, target, out_dir, echo=click.echo, progress=_say)
        click.echo(f"saved journal.json and {saved} call audio file(s) to {out_dir}")
    exit_for_alerts(result["alerts"], fail_on_alert)

if __name__ == "__main__":  # pragma: no cover
    main()
