"""The part of "Twilio as an HTTP client" that is the same whatever carries the bytes:
sign, send one exchange, follow redirects (re-signing every hop), and turn the outcome
into a DeliveryResult with Twilio's debugger code.

A transport only implements :meth:`Transport.exchange` (one request, no redirects, never
raises for network trouble).  The Router passes a chooser so that every hop of a redirect
chain is routed on its own URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from . import codes
from .signer import SIGNATURE_HEADER
from .urls import InvalidUrl, split_fragment
from .wire import DeliveryResult, OutboundRequest, Prepared, form_params, idempotency_token, media_type, sign_and_build

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Twilio does not say how it re-sends a POST on a redirect.  We do what HTTP clients and
# browsers do (RFC 9110 §15.4): 301/302/303 become a GET without the form body, 307/308
# repeat the same method and body.  This is the classic "http -> https redirect loses my
# CallSid" trap, reproduced on purpose.
POST_BECOMES_GET = frozenset({301, 302, 303})


@dataclass
class Exchange:
    """One HTTP request/response, or the network failure that stopped it."""

    status: int | None = None
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    error_code: int | None = None
    error_message: str | None = None

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class Transport:
    """Base class: subclasses send one exchange; delivery and redirects live here."""

    max_redirects = 10

    def exchange(self, method: str, prepared: Prepared,
                 overrides: dict[str, float]) -> Exchange:  # pragma: no cover - interface
        raise NotImplementedError

    def deliver(self, request: OutboundRequest, auth_token: str) -> DeliveryResult:
        return deliver(request, auth_token, lambda url: self, self.max_redirects)

    def close(self) -> None:
        pass


def deliver(request: OutboundRequest, auth_token: str, choose: Callable[[str], Transport],
            max_redirects: int) -> DeliveryResult:
    """Send ``request`` and follow redirects; ``choose(url)`` gives the transport per hop."""
    method = request.method.upper()
    base, overrides = split_fragment(request.url)
    # One token for the whole chain: it identifies the webhook, not the hop.
    params = form_params(request.params)
    token = idempotency_token(base, params)
    try:
        prepared = sign_and_build(request, auth_token, token, params)
    except InvalidUrl as exc:
        return _unsent(request, method, codes.INVALID_URL, str(exc))
    first, first_method = prepared, method
    redirects: list[str] = []

    while True:
        exchange = choose(prepared.url).exchange(method, prepared, overrides)
        location = exchange.header("Location")
        if exchange.error_code is None and exchange.status in REDIRECT_STATUSES and location:
            if len(redirects) >= max_redirects:
                exchange.error_code = codes.HTTP_TOO_MANY_REDIRECTS
                exchange.error_message = codes.describe(
                    exchange.error_code, f"gave up after {max_redirects} redirects at {prepared.url}"
                )
                break
            target = urljoin(prepared.url, location)
            redirects.append(target)
            if exchange.status in POST_BECOMES_GET and method == "POST":
                method = "GET"
            # A GET's parameters are already in the first URL; the Location replaces it whole.
            hop_params = prepared.body_params if method == "POST" else []
            try:
                prepared = sign_and_build(OutboundRequest(target, method, hop_params, request.kind), auth_token,
                                          token)
            except InvalidUrl as exc:
                exchange.error_code = codes.INVALID_URL
                exchange.error_message = codes.describe(codes.INVALID_URL, f"redirect to {exc}")
                break
            continue
        break

    if exchange.error_code is None:
        exchange.error_code, exchange.error_message = _status_error(exchange.status, prepared.url)
    return DeliveryResult(
        url=first.url,
        method=first_method,
        params=list(first.body_params),
        signature=first.headers[SIGNATURE_HEADER],
        status=exchange.status,
        headers=dict(exchange.headers),
        body=exchange.body,
        content_type=media_type(exchange.header("Content-Type")),
        error_code=exchange.error_code,
        error_message=exchange.error_message,
        final_url=prepared.url,
        kind=request.kind,
        request_headers=dict(first.headers),
        redirects=redirects,
    )


def _status_error(status: int | None, url: str) -> tuple[int | None, str | None]:
    if status is None or 200 <= status < 300:
        return None, None
    if status >= 400:
        return codes.HTTP_ERROR_RESPONSE, codes.describe(codes.HTTP_ERROR_RESPONSE, f"{url} answered HTTP {status}")
    # 1xx that reached us, 304 (we never send conditional requests), 3xx without Location.
    return codes.HTTP_RETRIEVAL_FAILURE, codes.describe(
        codes.HTTP_RETRIEVAL_FAILURE, f"{url} answered HTTP {status} with nothing to follow"
    )


def _unsent(request: OutboundRequest, method: str, code: int, detail: str) -> DeliveryResult:
    base, _ = split_fragment(request.url)
    return DeliveryResult(
        url=base,
        method=method,
        params=[] if method == "GET" else [(str(n), str(v)) for n, v in request.params],
        signature="",
        status=None,
        headers={},
        body=b"",
        content_type=None,
        error_code=code,
        error_message=codes.describe(code, detail),
        final_url=base,
        kind=request.kind,
    )
