"""The ``twilio-conf-emulator`` command."""

import click

from . import __version__


@click.group()
@click.version_option(__version__)
def main():
    """A local, deterministic emulator of Twilio's Conference API."""


if __name__ == "__main__":  # pragma: no cover
    main()
