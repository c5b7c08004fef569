"""Twilio debugger codes for a webhook fetch that went wrong (twilio-behavior.md §5.5, §6.2).

They are notifications, not REST errors: a transport records one on its DeliveryResult and
the engine decides what the caller hears (fallback URL, "An application error has occurred").
"""

from __future__ import annotations

INVALID_URL = 11100  # not an absolute http(s) URL
HTTP_RETRIEVAL_FAILURE = 11200  # anything else: broken response, the app raised, no such file
HTTP_CONNECTION_FAILURE = 11205  # refused, unreachable, connect or response timeout
HTTP_TOO_MANY_REDIRECTS = 11215  # more than webhook_max_redirects hops
HTTP_ERROR_RESPONSE = 11217  # the app answered 4xx or 5xx
INVALID_CONTENT_TYPE = 12300  # a body Twilio does not know how to run

TITLES = {
    INVALID_URL: "Invalid URL format",
    HTTP_RETRIEVAL_FAILURE: "HTTP retrieval failure",
    HTTP_CONNECTION_FAILURE: "HTTP connection failure",
    HTTP_TOO_MANY_REDIRECTS: "HTTP too many redirects",
    HTTP_ERROR_RESPONSE: "HTTP error response code",
    INVALID_CONTENT_TYPE: "Invalid Content-Type",
}


def describe(code: int, detail: str | None = None) -> str:
    """``"<Twilio title>: <what happened>"``: the title a user can search for, then the specifics."""
    title = TITLES.get(code, "Webhook failure")
    return f"{title}: {detail}" if detail else title
