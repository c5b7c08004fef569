"""Twilio's 2010-04-01 list envelope and paging (PageSize, Page, PageToken=PA…/PB…)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:  # annotations only
    from werkzeug.datastructures import MultiDict

PAGING_KEYS = ("PageSize", "Page", "PageToken")


def paginate(items: Sequence[Any], items_key: str, render: Callable[[Any], dict[str, Any]], path: str,
             args: MultiDict[str, str], paging: dict[str, Any],
             sid_of: Callable[[Any], str] = lambda x: x.sid) -> dict[str, Any]:
    """Render one page of ``items`` (already filtered and ordered) in Twilio's envelope.

    ``args`` is the request's MultiDict: its filters are echoed into every page URI in the
    order they came, then ``PageSize`` and ``Page`` (and ``PageToken``), as Twilio does.
    """
    page_size = paging.get("page_size") or 50
    page = paging.get("page") or 0
    token = paging.get("page_token")
    start = page * page_size
    if token and len(token) > 2:
        sids = [sid_of(x) for x in items]
        ref = token[2:]
        if ref in sids:
            idx = sids.index(ref)
            start = idx + 1 if token.startswith("PA") else max(0, idx - page_size)
    chunk = items[start:start + page_size]
    filters = [(k, v) for k, v in args.items(multi=True) if k not in PAGING_KEYS]

    def uri(p: int, tok: str | None = None) -> str:
        q = filters + [("PageSize", str(page_size)), ("Page", str(p))]
        if tok:
            q.append(("PageToken", tok))
        return f"{path}?{urlencode(q)}"

    has_next = start + page_size < len(items)
    return {
        items_key: [render(x) for x in chunk],
        "page": page,
        "page_size": page_size,
        "start": start if chunk else 0,
        "end": start + len(chunk) - 1 if chunk else 0,
        "uri": uri(page, token),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1, "PA" + sid_of(chunk[-1])) if has_next and chunk else None,
        "previous_page_uri": (uri(page - 1, "PB" + sid_of(chunk[0]))
                              if page > 0 and chunk else None),
    }
