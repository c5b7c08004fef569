"""Fetching a resource a TwiML verb points at (``<Play>`` audio, a waitUrl document).

``http(s)`` goes through the Router like any webhook (signed, cookies, redirects).
``file:`` URLs and plain paths read local fixtures, which lets a test's ``<Play>`` use a
WAV from the repository with no server; the content type comes from the extension.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import codes
from .wire import DeliveryResult, OutboundRequest

if TYPE_CHECKING:  # annotations only
    from .router import Router

# Fixed, so the answer does not depend on the machine's mime.types.
CONTENT_TYPES = {
    ".wav": "audio/x-wav",
    ".wave": "audio/x-wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".aif": "audio/x-aiff",
    ".aiff": "audio/x-aiff",
    ".gsm": "audio/x-gsm",
    ".ulaw": "audio/basic",
    ".au": "audio/basic",
    ".xml": "text/xml",
    ".twiml": "text/xml",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}


def guess_content_type(path: str) -> str | None:
    ext = os.path.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(path, strict=False)[0] or "application/octet-stream"


def is_local(url: str) -> bool:
    """``file:`` URLs and plain paths (a one-letter "scheme" is a Windows drive)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or len(scheme) <= 1


def fetch_resource(url: str, router: Router | None = None, auth_token: str = "", method: str = "GET",
                   params: Sequence[tuple[str, str]] = (), kind: str = "resource",
                   base_dir: str | None = None) -> DeliveryResult:
    """A DeliveryResult for ``url``: local bytes, or the Router's answer for http(s)."""
    if is_local(url):
        return _read_local(url, kind, base_dir)
    if router is None:
        from .router import Router

        router = Router()
    return router.deliver(OutboundRequest(url, method, list(params), kind), auth_token)


def local_path(url: str, base_dir: str | None = None) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"{url!r}: only local file: URLs are supported")
        # urllib.request on use: a served process that reads no file: URL never needs it.
        from urllib.request import url2pathname

        path = url2pathname(parts.path)
    else:
        path = url
    if not os.path.isabs(path):
        path = os.path.join(base_dir or os.getcwd(), path)
    return os.path.normpath(path)


def _read_local(url: str, kind: str, base_dir: str | None) -> DeliveryResult:
    try:
        path = local_path(url, base_dir)
        with open(path, "rb") as fh:
            body = fh.read()
    except (OSError, ValueError) as exc:
        return local_result(url, kind, None, b"", None, codes.HTTP_RETRIEVAL_FAILURE,
                            codes.describe(codes.HTTP_RETRIEVAL_FAILURE, str(exc)))
    content_type = guess_content_type(path)
    return local_result(url, kind, 200, body, content_type, None, None)


def local_result(url: str, kind: str, status: int | None, body: bytes, content_type: str | None,
                 error_code: int | None, error_message: str | None) -> DeliveryResult:
    return DeliveryResult(
        url=url,
        method="GET",
        params=[],
        signature="",
        status=status,
        headers={"Content-Type": content_type} if content_type else {},
        body=body,
        content_type=content_type,
        error_code=error_code,
        error_message=error_message,
        final_url=url,
        kind=kind,
    )
