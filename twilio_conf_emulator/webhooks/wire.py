"""What the emulator sends (OutboundRequest), what came back (DeliveryResult), and the
signed, ready-to-send form of one request (:func:`sign_and_build`).

Both transports (HTTP and in-process WSGI) consume the output of :func:`sign_and_build`,
so an app cannot tell them apart: same URL, same body, same headers, same signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import quote_plus

from .signer import SIGNATURE_HEADER, compute_signature
from .urls import canonical, split_fragment, with_query

USER_AGENT = "TwilioProxy/1.1"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


@dataclass
class OutboundRequest:
    url: str  # as the user gave it; a '#fragment' (connection overrides) is stripped
    method: str  # "GET" or "POST" (validated by the caller)
    params: list  # [(name, value)], in the emulator's order; names may repeat
    kind: str = ""  # what the journal files it under: "voice", "status-callback", ...


@dataclass
class DeliveryResult:
    """One webhook as the app saw it.  ``url``/``method``/``params``/``signature`` describe
    the first request; ``final_url`` is where redirects ended (relative TwiML URLs resolve
    against it).  ``error_code`` is a Twilio debugger code, None on success."""

    url: str
    method: str
    params: list
    signature: str
    status: int | None
    headers: dict
    body: bytes
    content_type: str | None
    error_code: int | None
    error_message: str | None
    final_url: str
    kind: str = ""
    request_headers: dict = field(default_factory=dict)
    redirects: list = field(default_factory=list)  # every Location followed, in order

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def charset(self) -> str | None:
        """The charset the app declared for a text body, if any."""
        value = _header(self.headers, "Content-Type") or ""
        for piece in value.split(";")[1:]:
            name, _, val = piece.strip().partition("=")
            if name.lower() == "charset" and val:
                return val.strip('"')
        return None


class Prepared(NamedTuple):
    """A signed request ready for the wire; unpacks as ``(url, body_params, headers)``."""

    url: str
    body_params: list
    headers: dict


# quote_plus of ASCII text, character by character: the always-safe characters stay, a
# space becomes "+", everything else "%XX". One C-level translate instead of quote_plus's
# per-call work (a webhook quotes a dozen or more values: numbers, dates, URLs).
_ASCII_QUOTED = {c: (chr(c) if chr(c).isalnum() or chr(c) in "_.-~" else "+" if c == 32
                     else f"%{c:02X}") for c in range(128)}


def _quote(text: str) -> str:
    return text.translate(_ASCII_QUOTED) if text.isascii() else quote_plus(text)


# The same table, with two stand-ins for the separators (control characters that no name or
# value of the pairs holds, checked), so a whole form is quoted in one translate.
_FORM_QUOTED = {**_ASCII_QUOTED, 0: "=", 1: "&"}


def form_encode(params: Sequence[tuple[str, str]]) -> str:
    """``urllib.parse.urlencode(params)`` of text pairs."""
    raw = "\x01".join([f"{n}\x00{v}" for n, v in params])
    if raw.isascii() and raw.count("\x00") == len(params) \
            and raw.count("\x01") == max(0, len(params) - 1):
        return raw.translate(_FORM_QUOTED)
    return "&".join(_quote(str(n)) + "=" + _quote(str(v)) for n, v in params)


class FormParams(list):
    """``[(name, value)]`` as text, urlencoded once: the idempotency token and a POST's body
    are the same encoding, and a webhook is encoded for both. Never changed once built."""

    __slots__ = ("_encoded",)

    def encoded(self) -> str:
        try:
            return self._encoded
        except AttributeError:
            self._encoded: str = form_encode(self)
            return self._encoded


def form_params(params: Sequence[tuple[object, object]]) -> FormParams:
    return FormParams([(str(n), str(v)) for n, v in params])


def _encoded(params: Sequence[tuple[str, str]]) -> str:
    return params.encoded() if isinstance(params, FormParams) else form_encode(params)


def idempotency_token(url: str, params: Sequence[tuple[str, str]]) -> str:
    """Deterministic, so the same webhook re-sent (a redirect hop, a replay) carries the same
    token and an app that de-duplicates on it behaves as it would with Twilio."""
    digest = hashlib.sha256((url + "\n" + _encoded(params)).encode("utf-8")).hexdigest()
    return digest[:32]


def sign_and_build(request: OutboundRequest, auth_token: str, token: str | None = None,
                   params: FormParams | None = None) -> Prepared:
    """``(url, body_params, headers)`` for one request (``params``: ``request.params`` as
    :func:`form_params` already made them).

    GET: the params join the query string and the URL alone is signed.  POST: the params
    are the form body and are signed after the URL.  The URL is canonical and has no
    fragment, so the signature covers exactly the URL the app receives.
    Raises :class:`~.urls.InvalidUrl` for anything but an absolute http(s) URL.
    """
    base, _ = split_fragment(request.url)
    if params is None:
        params = form_params(request.params)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        IDEMPOTENCY_HEADER: token or idempotency_token(base, params),
    }
    if request.method.upper() == "GET":
        url = canonical(with_query(base, params))
        body: list[tuple[str, str]] = []
    else:
        url = canonical(base)
        body = params
        headers["Content-Type"] = FORM_CONTENT_TYPE
    headers[SIGNATURE_HEADER] = compute_signature(auth_token, url, body)
    return Prepared(url, body, headers)


def encode_body(body_params: Sequence[tuple[str, str]]) -> bytes:
    return _encoded(body_params).encode("ascii") if body_params else b""


def media_type(content_type_header: str | None) -> str | None:
    """``"text/xml; charset=utf-8"`` -> ``"text/xml"``; None stays None."""
    if not content_type_header:
        return None
    return content_type_header.split(";", 1)[0].strip().lower() or None


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
