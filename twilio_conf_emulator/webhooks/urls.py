"""Webhook URLs as Twilio treats them before any byte is sent.

* A ``#fragment`` carries connection overrides (``#ct=2000&rt=5000``) and is never sent:
  Twilio strips it before requesting and signing.
* The URL that gets signed must be byte-for-byte the URL the app sees, so it is first put
  in the canonical form an HTTP client puts on the wire (lower-case host, ``/`` for an empty
  path, unsafe characters percent-encoded).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..late_imports import whole

# Connection-override keys that change how the emulator waits, in milliseconds.
# https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides
TIMEOUT_OVERRIDES = {"ct": "connect", "rt": "read", "tt": "total"}


class InvalidUrl(ValueError):
    """Not an absolute http(s) URL (Twilio 11100)."""


def split_fragment(url: str) -> tuple[str, dict[str, float]]:
    """``(url without '#...', {override: value})``; unknown or malformed keys are ignored."""
    base, _, fragment = url.partition("#")
    overrides: dict[str, float] = {}
    for key, value in parse_qsl(fragment, keep_blank_values=False):
        if key in TIMEOUT_OVERRIDES:
            try:
                overrides[TIMEOUT_OVERRIDES[key]] = int(value) / 1000.0
            except ValueError:
                continue
    return base, overrides


@lru_cache(maxsize=1024)  # the same few callback URLs, over and over
def canonical(url: str) -> str:
    """The absolute http(s) URL as it goes on the wire; raises :class:`InvalidUrl`."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidUrl(f"{url!r} is not an absolute http or https URL")
    whole("requests")  # with the first URL checked, from whichever thread (late_imports.py)
    from requests.exceptions import RequestException
    from requests.models import PreparedRequest

    prepared = PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except (RequestException, ValueError, UnicodeError) as exc:
        raise InvalidUrl(f"{url!r}: {exc}") from None
    return str(prepared.url)


# Left unescaped in GET queries (legal in a query per RFC 3986): werkzeug's ``request.url``
# decodes them, so an app validating ``RequestValidator.validate(request.url, {}, sig)`` sees
# exactly the URL that was signed for ASCII values such as ``Timestamp``.
QUERY_SAFE = ",:/@!$'()*"


def with_query(url: str, params: Sequence[tuple[str, str]]) -> str:
    """Append form parameters to a URL's query string (GET webhooks), keeping their order."""
    if not params:
        return url
    query = urlencode(params, safe=QUERY_SAFE)
    if "?" not in url:
        return f"{url}?{query}"
    if url.endswith(("?", "&")):
        return url + query
    return f"{url}&{query}"
