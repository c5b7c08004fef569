"""What the emulator may read and reach on the operator's behalf (README "Fetch policy").

Local files (``{"kind": "file"}`` audio, ``file:`` URLs in TwiML): on a loopback-only server any
path, unless ``allow_files`` lists directories; on any other bind only paths inside
``allow_files`` (none when empty), because whoever can reach the server could otherwise read
the host's files through it. Hosts: when ``fetch_allow`` is set, webhooks, TwiML and audio
go only to those ``HOST`` or ``HOST:PORT``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # annotations only
    from .config import EmulatorConfig

DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(ValueError):
    """A fetch the policy does not allow; the message says which rule."""


def check_file(path: str, config: EmulatorConfig) -> None:
    """Raise Refused unless the policy lets the server read ``path``."""
    dirs = [d for d in (config.allow_files or []) if d]
    if not dirs:
        if config.loopback_only:
            return
        raise Refused(f"{path}: local files are not readable on a server bound beyond "
                      f"loopback (start it with --allow-files DIR)")
    real = os.path.realpath(path)
    for d in dirs:
        root = os.path.realpath(d)
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return
    raise Refused(f"{path}: outside the directories allowed by --allow-files")


def check_url(url: str, config: EmulatorConfig) -> None:
    """Raise Refused unless ``fetch_allow`` is empty or lists the URL's host (and port)."""
    allowed = [a.strip().lower() for a in (config.fetch_allow or []) if a and a.strip()]
    if not allowed:
        return
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        port = None
    if host in allowed or f"{host}:{port}" in allowed:
        return
    raise Refused(f"{host}:{port} is not in --fetch-allow")
