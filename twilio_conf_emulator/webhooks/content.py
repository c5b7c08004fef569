"""What Twilio does with an answer, decided by its MIME type (twilio-behavior.md §5.5).

* ``text/xml``, ``application/xml``, ``text/html`` -> run as TwiML (a bad document is then a
  12100 from the parser, not a reason to read it aloud);
* ``audio/*`` -> play it;
* ``text/plain`` -> TwiML if it is a TwiML document, otherwise the text is read aloud;
* anything else, or a failed fetch -> ``"error"`` (12300 Invalid Content-Type, or the
  fetch's own code).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import codes

if TYPE_CHECKING:  # annotations only
    from .wire import DeliveryResult

TWIML_TYPES = frozenset({"text/xml", "application/xml", "text/html"})


def looks_like_twiml(body: bytes | str) -> bool:
    """Would the TwiML parser accept this as a document?  The same two rules it raises 12100
    on: well-formed XML (which also rejects whitespace before ``<?xml``) and a ``<Response>``
    root.  Kept here, not imported from the engine, because webhooks/ sits below engine/."""
    from lxml import etree  # imported with the first webhook answer, not at start-up

    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        # A parser per call: lxml parsers must not be shared between threads.
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except (etree.XMLSyntaxError, ValueError):
        return False
    return root is not None and root.tag == "Response"


def classify(result: DeliveryResult, is_twiml: Callable[[bytes], bool] = looks_like_twiml) -> str:
    """``"twiml" | "audio" | "text" | "error"`` for a DeliveryResult."""
    if result.error_code is not None or result.status is None or not 200 <= result.status < 300:
        return "error"
    media = (result.content_type or "").lower()
    if media in TWIML_TYPES:
        return "twiml"
    if media.startswith("audio/"):
        return "audio"
    if media == "text/plain":
        return "twiml" if is_twiml(result.body) else "text"
    return "error"


def content_error(result: DeliveryResult) -> tuple[int, str | None]:
    """``(code, message)`` explaining why :func:`classify` said "error"."""
    if result.error_code is not None:
        return result.error_code, result.error_message
    if result.status is None or not 200 <= result.status < 300:
        return codes.HTTP_ERROR_RESPONSE, codes.describe(codes.HTTP_ERROR_RESPONSE, f"HTTP {result.status}")
    return codes.INVALID_CONTENT_TYPE, codes.describe(
        codes.INVALID_CONTENT_TYPE, f"{result.final_url} answered {result.content_type or 'no Content-Type'}"
    )


def decode_text(result: DeliveryResult) -> str:
    """The body as text, in the charset the app declared (UTF-8 when it declared none)."""
    charset = result.charset or "utf-8"
    try:
        return result.body.decode(charset, errors="replace")
    except LookupError:
        return result.body.decode("utf-8", errors="replace")
