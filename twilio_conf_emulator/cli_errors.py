"""User errors of the command line as one line on stderr, never a traceback.

A person who typed a bad option, a wrong file or a dead URL needs to know which one, not how
the code got there: every error the CLI knows becomes ``twilio-conf-emulator: error: ...``
naming the option, field or file, with exit status 2 (usage) or 1 (everything else).
Set TWILIO_EMULATOR_DEBUG=1 to see the traceback of an unexpected error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn

import click

PROG = "twilio-conf-emulator"
DEBUG_ENV = "TWILIO_EMULATOR_DEBUG"
ALERT_LEVELS = {"warning": 0, "error": 1}


def _fail(message: object, code: int) -> NoReturn:
    click.echo(f"{PROG}: error: {' '.join(str(message).split())}", err=True)
    sys.exit(code)


class OneLineErrors(click.Group):
    """A click group whose errors (its own, click's and unexpected ones) are one line."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> NoReturn:  # type: ignore[override]  # always standalone
        try:
            rv = super().main(args=args, prog_name=prog_name or PROG, standalone_mode=False,
                              **extra)
        except click.UsageError as err:
            hint = f" (see '{PROG} {err.ctx.info_name if err.ctx else ''} --help')"
            _fail(err.format_message() + hint.replace("  ", " "), 2)
        except click.ClickException as err:
            _fail(err.format_message(), err.exit_code or 1)
        except click.Abort:
            _fail("aborted", 1)
        except KeyboardInterrupt:  # pragma: no cover - interactive
            sys.exit(130)
        except Exception as err:  # noqa: BLE001 - the last line of defence for the user
            # A scenario's own error is a one-line message. Only a scenario raises it, so its
            # module is loaded then (``serve`` never imports it: 0.8 MB of an idle server).
            scenario = sys.modules.get(f"{__package__}.scenario")
            if scenario is not None and isinstance(err, scenario.ScenarioError):
                _fail(err, 1)
            if os.environ.get(DEBUG_ENV):
                raise
            _fail(f"unexpected {type(err).__name__}: {err} (set {DEBUG_ENV}=1 for the "
                  "traceback, and please report it)", 1)
        sys.exit(rv if isinstance(rv, int) else 0)


def check_db_url(url: str) -> None:
    """Everything about ``--db`` that can be told before opening it, as a ClickException."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise click.ClickException(f"--db {url!r} is not a database URL "
                                   "(e.g. sqlite:///emulator.db, sqlite:// for memory)") from None
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        raise click.ClickException(f"--db {url!r}: unknown database kind "
                                   f"{parsed.drivername!r}") from None
    try:
        (getattr(dialect, "import_dbapi", None) or dialect.dbapi)()  # type: ignore[operator, misc]
    except ImportError as err:
        raise click.ClickException(
            f"--db {url!r}: the Python driver for {parsed.drivername} is not installed "
            f"({err}): pip install it") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = os.path.dirname(os.path.abspath(parsed.database))
        if not os.path.isdir(folder):
            raise click.ClickException(f"--db {url!r}: the directory {folder} does not exist "
                                       "(the emulator does not create directories)")


def open_error(url: str, err: BaseException) -> click.ClickException:
    """A database that failed to open, as one line."""
    orig = getattr(err, "orig", None) or err
    return click.ClickException(f"--db {url!r}: cannot open the store: {orig}")


def exit_for_alerts(alerts: Iterable[Mapping[str, Any]], level: str) -> None:
    """``--fail-on-alert LEVEL``: exit status 3 when an alert at LEVEL or worse was raised."""
    if level == "never":
        return
    worst = [a for a in alerts if ALERT_LEVELS.get(a.get("level") or "", 1) >= ALERT_LEVELS[level]]
    if worst:
        click.echo(f"{PROG}: {len(worst)} alert(s) at level {level} or worse "
                   "(--fail-on-alert never to ignore them)", err=True)
        sys.exit(3)


fail_on_alert_option = click.option(
    "--fail-on-alert", "fail_on_alert", type=click.Choice(["warning", "error", "never"]),
    default="error", show_default=True,
    help="Exit with status 3 when the run raised an alert at this level or worse.")
