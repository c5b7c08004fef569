"""A form body's text: every field must be UTF-8 (no Flask here; the app's hook and the
requests served without Flask both check it)."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from ..errors import BadRequest


def _non_utf8_field(raw: bytes) -> str | None:
    """The name of the first form field whose name or value is not UTF-8 once decoded
    (werkzeug would otherwise drop or mangle the whole form silently), else None."""
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        for part in (name, value):
            try:
                text = unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                text = "\x00"
            if "\x00" in text:  # not UTF-8, or a NUL no database text column can store
                return unquote_to_bytes(name).decode("utf-8", "replace")[:64]
    return None


def check_utf8(raw: bytes) -> None:
    """A 400 (20001) naming the first field that is not UTF-8 text."""
    bad = _non_utf8_field(raw)
    if bad is not None:
        raise BadRequest(f"The form body is not UTF-8 text (in the field {bad!r}); "
                         f"Twilio's API takes UTF-8 parameters", code=20001)
