"""Parameters accepted and not acted on are never silently dropped.

Every view's parsing marks the keys it uses (``consume``); a schema field that is parsed
(so a bad value is still a 400) but has no effect in the emulator carries
``ignored="why"`` in its metadata.  After a successful request, every request key that is
ignored or unknown raises one 12200-style *warning* alert naming it, so a test (or the
debugger) sees what the emulator did not do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import g, request

if TYPE_CHECKING:  # annotations only
    from ..engine.core import Engine

IGNORED_PARAMETER = 12200  # Twilio's schema-validation warning code, reused for REST params


def consume(*keys: str) -> None:
    g.setdefault("twilio_consumed", set()).update(keys)


def ignore(key: str, why: str) -> None:
    g.setdefault("twilio_ignored", {})[key] = why


def unused_parameters() -> dict[str, str]:
    """``{key: why}`` of this request's keys that had no effect."""
    consumed = g.get("twilio_consumed", set())
    out = dict(g.get("twilio_ignored", {}))
    keys = set(request.args.keys())
    if request.method in ("POST", "PUT", "DELETE"):
        keys |= set(request.form.keys())
    for key in sorted(keys - consumed - set(out)):
        out[key] = "it is not a parameter the emulator knows on this route"
    return out


def warn(eng: Engine, account_sid: str) -> None:
    unused = unused_parameters()
    if not unused:
        return
    with eng.transaction():
        for key in sorted(unused):
            eng.alert(account_sid, IGNORED_PARAMETER,
                      f"Parameter '{key}' of {request.method} {request.path} was accepted and "
                      f"ignored: {unused[key]}", level="warning", url=request.path)
