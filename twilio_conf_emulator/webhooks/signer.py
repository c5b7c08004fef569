"""X-Twilio-Signature, computed exactly as twilio-python's ``RequestValidator`` checks it.

The signed string is the full URL Twilio requested (query string included) followed by
every form parameter as ``name + value``: names sorted, and for a repeated name its values
sorted *and de-duplicated* (the validator builds ``set(values)``), with no separators.
HMAC-SHA1 keyed with the account's Auth Token, base64-encoded.  A GET has no body, so the
URL alone (which already carries the parameters) is signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_HEADER = "X-Twilio-Signature"


def signing_string(url: str, params: Iterable[tuple[str, str]]) -> str:
    """The exact text that gets HMAC'd; exposed so the journal can show it when debugging."""
    params = list(params)
    if len({name for name, _ in params}) == len(params):
        # Every name once (nearly every webhook): sorted by name, nothing to de-duplicate.
        return url + "".join([name + value for name, value in sorted(params)])
    values: dict[str, set[str]] = {}
    for name, value in params:
        values.setdefault(name, set()).add(value)
    parts = [url]
    for name in sorted(values):
        for value in sorted(values[name]):
            parts.append(name + value)
    return "".join(parts)


def compute_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]] = ()) -> str:
    """Base64 HMAC-SHA1 of :func:`signing_string`.

    ``params`` is a list of ``(name, value)`` pairs (a name may repeat); pass ``()`` for a GET.
    """
    mac = hmac.new(auth_token.encode("utf-8"), signing_string(url, params).encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")
