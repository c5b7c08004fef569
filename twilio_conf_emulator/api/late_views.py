"""The REST resources a server loads on their first request: recordings (a call's, a
conference's, the account's), incoming phone numbers, and the account itself.

Their routes are declared here, so the app matches them exactly as if their modules were
loaded (a 404, a 405 with its Allow header, the OpenAPI walk of the routes); each view is a
``LateView`` that imports its module the first time it is called. A server never asked for
these resources never holds their views, schemas and rendering (about 0.2 MB of an idle
server, issue 11). tests/test_late_views.py holds every route to a view that exists.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only
    from flask import Blueprint

NUMBERS = "/Accounts/<account_sid>/IncomingPhoneNumbers"
CALL_RECORDINGS = "/Accounts/<account_sid>/Calls/<call_sid>/Recordings"
CONFERENCE_RECORDINGS = "/Accounts/<account_sid>/Conferences/<conference_sid>/Recordings"
ACCOUNT_RECORDINGS = "/Accounts/<account_sid>/Recordings"

# (rule under /2010-04-01, methods, "module:view" in this package)
ROUTES = (
    ("/Accounts/<account_sid>.json", ("GET",), "accounts:fetch_account"),
    ("/Accounts/<account_sid>.json", ("POST",), "accounts:update_account"),
    (CALL_RECORDINGS + ".json", ("GET",), "call_recordings:list_call_recordings"),
    (CALL_RECORDINGS + ".json", ("POST",), "call_recordings:create_call_recording"),
    (CALL_RECORDINGS + "/<sid>.json", ("GET",), "call_recordings:fetch_call_recording"),
    (CALL_RECORDINGS + "/<sid>.json", ("POST",), "call_recordings:update_call_recording"),
    (CALL_RECORDINGS + "/<sid>.json", ("DELETE",), "call_recordings:delete_call_recording"),
    (NUMBERS + ".json", ("POST",), "numbers:create_number"),
    (NUMBERS + ".json", ("GET",), "numbers:list_numbers"),
    (NUMBERS + "/<sid>.json", ("GET",), "numbers:fetch_number"),
    (NUMBERS + "/<sid>.json", ("POST",), "numbers:update_number"),
    (NUMBERS + "/<sid>.json", ("DELETE",), "numbers:delete_number"),
    (CONFERENCE_RECORDINGS + ".json", ("GET",), "recordings:list_conference_recordings"),
    (CONFERENCE_RECORDINGS + "/<sid>.json", ("GET",), "recordings:fetch_conference_recording"),
    (CONFERENCE_RECORDINGS + "/<sid>.json", ("POST",), "recordings:update_conference_recording"),
    (CONFERENCE_RECORDINGS + "/<sid>.json", ("DELETE",),
     "recordings:delete_conference_recording"),
    (ACCOUNT_RECORDINGS + ".json", ("GET",), "recordings:list_recordings"),
    # The recording itself: its JSON, or its media (.wav, .mp3, or no extension: WAV).
    (ACCOUNT_RECORDINGS + "/<sid>", ("GET", "DELETE"), "recordings:recording"),
    (ACCOUNT_RECORDINGS + "/<sid>.<ext>", ("GET", "DELETE"), "recordings:recording"),
)


class LateView:
    """A view function imported on its first call: ``where`` is ``"package.module:view"``."""

    def __init__(self, where: str) -> None:
        self.where = where
        self._view: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        view = self._view
        if view is None:
            module, _, name = self.where.partition(":")
            view = self._view = getattr(importlib.import_module(module), name)
        return view(*args, **kwargs)


def register(blueprint: Blueprint) -> None:
    """Every route above on ``blueprint``, each endpoint named as its view."""
    views: dict[str, LateView] = {}
    for rule, methods, where in ROUTES:
        view = views.setdefault(where, LateView(f"{__package__}.{where}"))
        blueprint.add_url_rule(rule, endpoint=where.partition(":")[2], view_func=view,
                               methods=list(methods))
