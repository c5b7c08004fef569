"""Parameters accepted and not acted on are never silently dropped.

Every view's parsing marks the keys it uses (``consume``); a schema field that is parsed
(so a bad value is still a 400) but has no effect in the emulator carries
``ignored="why"`` in its metadata.  After a successful request, every request key that is
ignored or unknown raises one 12200-style *warning* alert naming it, so a test (or the
debugger) sees what the emulator did not do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import g, request

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

IGNORED_PARAMETER = 12200  # Twilio's schema-validation warning code, reused for REST params


class Usage:
    """What one request's parsing used and ignored, for a request served without Flask (the
    views keep theirs in ``g``)."""

    __slots__ = ("consumed", "ignored")

    def __init__(self) -> None:
        self.consumed: set[str] = set()
        self.ignored: dict[str, str] = {}


def consume(*keys: str) -> None:
    g.setdefault("twilio_consumed", set()).update(keys)


def ignore(key: str, why: str) -> None:
    g.setdefault("twilio_ignored", {})[key] = why


def unused(keys: Iterable[str], consumed: set[str], ignored: dict[str, str]) -> dict[str, str]:
    """``{key: why}`` of the request ``keys`` that had no effect."""
    out = dict(ignored)
    for key in sorted(set(keys) - consumed - set(out)):
        out[key] = "it is not a parameter the emulator knows on this route"
    return out


def unused_parameters() -> dict[str, str]:
    """``{key: why}`` of this request's keys that had no effect."""
    keys = set(request.args.keys())
    if request.method in ("POST", "PUT", "DELETE"):
        keys |= set(request.form.keys())
    return unused(keys, g.get("twilio_consumed", set()), g.get("twilio_ignored", {}))


def warn(eng: Engine, account_sid: str) -> None:
    warn_unused(eng, account_sid, unused_parameters(), request.method, request.path)


def warn_unused(eng: Engine, account_sid: str, unused: dict[str, str], method: str,
                path: str) -> None:
    """One warning alert per parameter that had no effect."""
    if not unused:
        return
    with eng.transaction():
        for key in sorted(unused):
            eng.alert(account_sid, IGNORED_PARAMETER,
                      f"Parameter '{key}' of {method} {path} was accepted and "
                      f"ignored: {unused[key]}", level="warning", url=path)
