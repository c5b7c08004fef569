"""Reading control-API bodies: one JSON object, bounded, or a Twilio-shaped 400.

Python's json module accepts ``NaN``/``Infinity`` and recurses once per nesting level; a
control body is a small, flat object, so both are refused here (a 400 that names why)
rather than deep inside a route.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from flask import request

from ..errors import BadRequest

# A control body is a handful of fields; a digits script or a playlist nests a few levels.
MAX_DEPTH = 32
MAX_BYTES = 1024 * 1024


def _no_constant(name: str) -> NoReturn:
    raise BadRequest(f"{name} is not a number JSON allows; send a finite number", code=20001)


def _depth_ok(raw: str) -> bool:
    """Nesting depth by counting brackets outside strings, before json recurses."""
    depth, in_str, escaped = 0, False, False
    for ch in raw:
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def json_object() -> dict[str, Any]:
    """The request body as a dict; an empty body is ``{}``."""
    if (request.content_length or 0) > MAX_BYTES:
        raise BadRequest(f"The body is over {MAX_BYTES} bytes", code=20001)
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BYTES:
        raise BadRequest(f"The body is over {MAX_BYTES} bytes", code=20001)
    if not raw.strip():
        return {}
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise BadRequest("The body must be a JSON object (Content-Type: application/json), "
                         "not a form", code=20001)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The body must be UTF-8 JSON", code=20001) from None
    if "\\u0000" in text.lower() or "\x00" in text:
        raise BadRequest("The body contains a NUL character, which no field may hold",
                         code=20001)
    if not _depth_ok(text):
        raise BadRequest(f"The body nests deeper than {MAX_DEPTH} levels", code=20001)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as err:
        raise BadRequest(f"The body is not valid JSON: {err}", code=20001) from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object", code=20001)
    return data


def required(data: Mapping[str, Any], *names: str) -> None:
    """Refuse a body without ``names`` (``{}`` is not "do nothing")."""
    missing = [n for n in names if data.get(n) in (None, "")]
    if missing:
        raise BadRequest(f"Missing required field(s): {', '.join(missing)}", code=20001)
