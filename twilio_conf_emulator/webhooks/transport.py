"""The webhook transports in one import: the request/result types, signing, and the three
ways a webhook travels (real HTTP, in-process WSGI, a Router choosing between them).

Each concept lives in its own module; this one only gathers them.
"""

from .content import classify, decode_text, looks_like_twiml
from .delivery import Exchange, Transport
from .fetch import fetch_resource
from .http_transport import HttpTransport
from .router import Router
from .urls import InvalidUrl
from .wire import DeliveryResult, OutboundRequest, Prepared, sign_and_build
from .wsgi_transport import WsgiTransport

__all__ = [
    "DeliveryResult",
    "Exchange",
    "HttpTransport",
    "InvalidUrl",
    "OutboundRequest",
    "Prepared",
    "Router",
    "Transport",
    "WsgiTransport",
    "classify",
    "decode_text",
    "fetch_resource",
    "looks_like_twiml",
    "sign_and_build",
]
