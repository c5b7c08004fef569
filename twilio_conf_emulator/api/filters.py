"""List filters shared by the resources: date (``X``, ``X<``, ``X>``) and enum filters."""

from __future__ import annotations

import datetime as _dt
import email.utils
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

from ..errors import BadRequest
from ..timefmt import parse_date, parse_datetime, utc_date
from .ignored import Usage, consume

Predicate = Callable[..., bool]  # called with one row

# Zone abbreviations seen in Twilio's own list examples (``06/11/2019 22:05:25 MST``).
ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
         "MDT": -6, "PST": -8, "PDT": -7}
US_DATETIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
                         r"(?:\s*([A-Za-z]{1,4}))?$")


def parse_filter_datetime(value: Any) -> float | None:
    """A Calls ``StartTime``/``EndTime`` value as epoch seconds, or None.

    ISO dates and datetimes (what twilio-python sends), ``YYYY-MM-DD HH:MM:SS.fff``, RFC 2822,
    and ``MM/DD/YYYY HH:MM:SS ZZZ`` (US zone abbreviations), all of which Twilio's examples use.
    """
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    try:
        t = parse_datetime(value)
    except (ValueError, OverflowError):
        t = None
    if t is not None:
        return t
    v = value.strip()
    m = US_DATETIME.match(v)
    if m:
        month, day, year, hh, mm, ss, zone = m.groups()
        offset = ZONES.get((zone or "UTC").upper())
        if offset is None:
            return None
        try:
            d = _dt.datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0),
                             int(ss or 0), tzinfo=_dt.timezone(_dt.timedelta(hours=offset)))
        except ValueError:
            return None
        return d.timestamp()
    try:
        d = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return d.timestamp()


def date_filters(args: Mapping[str, Any], name: str, attr: str) -> list[Predicate]:
    """``DateCreated=D`` on D, ``DateCreated<=D`` on or before, ``DateCreated>=D`` on or after."""
    preds = []
    consume(name, name + "<", name + ">")
    for key, op in ((name, "eq"), (name + "<", "le"), (name + ">", "ge")):
        if key not in args:
            continue
        try:
            d = parse_date(args.get(key))
        except (ValueError, OverflowError):
            d = None
        if d is None:
            raise BadRequest(f"Invalid {key}: {args.get(key)!r}, expected YYYY-MM-DD", code=20001)
        preds.append(_date_pred(attr, op, d))
    return preds


def _date_pred(attr, op, d):
    def pred(obj):
        v = getattr(obj, attr)
        if v is None:
            return False
        day = utc_date(v)
        return day == d if op == "eq" else day <= d if op == "le" else day >= d
    return pred


def datetime_filters(args: Mapping[str, Any], name: str, attr: str) -> list[Predicate]:
    """Calls: ``StartTime<`` before, ``StartTime>`` on or after, ``StartTime`` on that date."""
    preds = []
    consume(name, name + "<", name + ">")
    for key, op in ((name, "eq"), (name + "<", "lt"), (name + ">", "ge")):
        if key not in args:
            continue
        t = parse_filter_datetime(args.get(key))
        if t is None:
            raise BadRequest(f"Invalid {key}: {args.get(key)!r}", code=20001)
        preds.append(_time_pred(attr, op, t))
    return preds


def _time_pred(attr, op, t):
    def pred(obj):
        v = getattr(obj, attr)
        if v is None:
            return False
        if op == "eq":
            return utc_date(v) == utc_date(t)
        return v < t if op == "lt" else v >= t
    return pred


def enum_filter(args: Mapping[str, Any], key: str, attr: str, choices: Sequence[str]) -> list[Predicate]:
    consume(key)
    if key not in args:
        return []
    value = args.get(key)
    if value not in choices:
        raise BadRequest(f"Invalid {key}: {value!r}; allowed: {', '.join(choices)}", code=20001)
    return [lambda obj: getattr(obj, attr) == value]


def bool_filter(args: Mapping[str, Any], key: str, attr: str,
                usage: Usage | None = None) -> list[Predicate]:
    if usage is None:
        consume(key)
    else:  # a request served without Flask (api/hot.py)
        usage.consumed.add(key)
    if key not in args:
        return []
    value = cast(str, args.get(key)).strip().lower() == "true"
    return [lambda obj: bool(getattr(obj, attr)) == value]


def apply(items: Iterable[Any], preds: Iterable[Predicate]) -> list[Any]:
    return [x for x in items if all(p(x) for p in preds)]
