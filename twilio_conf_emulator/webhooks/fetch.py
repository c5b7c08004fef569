"""Fetching a resource a TwiML verb points at (``<Play>`` audio, a waitUrl document).

``http(s)`` goes through the Router like any webhook (signed, cookies, redirects).
``file:`` URLs and plain paths read local fixtures, which lets a test's ``<Play>`` use a
WAV from the repository with no server; the content type comes from the extension.
"""

import mimetypes
import os
from urllib.parse import urlsplit
from urllib.request import url2pathname

from . import codes
from .wire import DeliveryResult, OutboundRequest

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


def guess_content_type(path):
    ext = os.path.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(path, strict=False)[0] or "application/octet-stream"


def is_local(url):
    """``file:`` URLs and plain paths (a one-letter "scheme" is a Windows drive)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or len(scheme) <= 1


def fetch_resource(url, router=None, auth_token="", method="GET", params=(), kind="resource", base_dir=None):
    """A DeliveryResult for ``url``: local bytes, or the Router's answer for http(s)."""
    if is_local(url):
        return _read_local(url, kind, base_dir)
    if router is None:
        from .router import Router

        router = Router()
    return router.deliver(OutboundRequest(url, method, list(params), kind), auth_token)


def local_path(url, base_dir=None):
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"{url!r}: only local file: URLs are supported")
        path = url2pathname(parts.path)
    else:
        path = url
    if not os.path.isabs(path):
        path = os.path.join(base_dir or os.getcwd(), path)
    return os.path.normpath(path)


def _read_local(url, kind, base_dir):
    try:
        path = local_path(url, base_dir)
        with open(path, "rb") as fh:
            body = fh.read()
    except (OSError, ValueError) as exc:
        return local_result(url, kind, None, b"", None, codes.HTTP_RETRIEVAL_FAILURE, codes.describe(codes.HTTP_RETRIEVAL_FAILURE, str(exc)))
    content_type = guess_content_type(path)
    return local_result(url, kind, 200, body, content_type, None, None)


def local_result(url, kind, status, body, content_type, error_code, error_message):
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
