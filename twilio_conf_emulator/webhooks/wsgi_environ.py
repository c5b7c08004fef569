"""The WSGI environ of one webhook, built directly for the URLs the emulator sends.

Every webhook URL is canonical (``urls.canonical``: ASCII, percent-encoded), so the environ
werkzeug's ``EnvironBuilder`` would build can be written down in a few dict entries; the
builder's general machinery (IRI handling, MultiDicts, Headers) was about half the cost of
delivering a webhook in-process. Anything outside that plain shape (a host with capitals
or non-ASCII, unusual characters in the path) still goes through ``EnvironBuilder``, so
the app sees exactly what it saw before (``tests/test_webhooks_transport.py`` compares both).
"""

import re
import sys
from io import BytesIO
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from werkzeug.test import EnvironBuilder

_PLAIN_NETLOC = re.compile(r"[a-z0-9.\-]+(:[0-9]+)?\Z")
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/._~\-!$&'()*+,;=:@%]*\Z")


def build(method: str, url: str, headers: dict[str, str], body: bytes | None,
          content_type: str | None) -> dict[str, Any]:
    """``environ`` for ``method url`` with ``headers`` (no Content-Type; it is
    ``content_type``) and the form ``body`` bytes (None for a GET)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not (_PLAIN_NETLOC.match(parts.netloc) and _PLAIN_PATH.match(path)):
        return _built(method, parts, path, headers, body, content_type)
    host = parts.netloc
    name, sep, port = host.partition(":")
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path).encode().decode("latin1"),
        "QUERY_STRING": parts.query,
        "REQUEST_URI": path,
        "RAW_URI": path,
        "SERVER_NAME": name,
        "SERVER_PORT": port if sep else ("443" if parts.scheme == "https" else "80"),
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme,
        "wsgi.input": BytesIO(body or b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if body or content_type is not None:
        environ["CONTENT_LENGTH"] = str(len(body or b""))
    for key, value in headers.items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    return environ


def _built(method: str, parts: SplitResult, path: str, headers: dict[str, str],
           body: bytes | None, content_type: str | None) -> dict[str, Any]:
    builder = EnvironBuilder(path=path, base_url=f"{parts.scheme}://{parts.netloc}",
                             query_string=parts.query, method=method, headers=list(headers.items()),
                             data=body, content_type=content_type)
    try:
        return builder.get_environ()
    finally:
        builder.close()
