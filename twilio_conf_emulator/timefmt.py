"""Virtual epoch seconds <-> the date formats Twilio puts on the wire."""

from __future__ import annotations

import datetime as _dt
from email.utils import format_datetime
from functools import lru_cache
from typing import Any

UTC = _dt.timezone.utc


def to_datetime(epoch: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(epoch, tz=UTC)


def rfc2822(epoch: float) -> str:
    """``Fri, 18 Feb 2011 19:26:50 +0000``, as every 2010-04-01 date field is rendered."""
    if epoch is None:
        return None
    return _rfc2822(int(epoch))


@lru_cache(maxsize=4096)
def _rfc2822(seconds: int) -> str:
    # Virtual time repeats the same few seconds across every row and webhook of an instant.
    return format_datetime(to_datetime(seconds), usegmt=False).replace("-0000", "+0000")


def utc_date(epoch: float) -> _dt.date:
    return to_datetime(epoch).date()


def parse_date(value: Any) -> _dt.date | None:
    """A ``YYYY-MM-DD`` list filter value; None when it does not parse."""
    try:
        return _dt.date.fromisoformat(value.strip()[:10])
    except (ValueError, AttributeError):
        return None


def parse_datetime(value: str | None) -> float | None:
    """A Call list ``StartTime``/``EndTime`` filter: ISO date or datetime, as epoch seconds."""
    if not value:
        return None
    v = value.strip().replace("Z", "+00:00")
    for parser in (_dt.datetime.fromisoformat,):
        try:
            d = parser(v)
            if d.tzinfo is None:
                d = d.replace(tzinfo=UTC)
            return d.timestamp()
        except ValueError:
            pass
    day = parse_date(value)
    if day is None:
        return None
    return _dt.datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
