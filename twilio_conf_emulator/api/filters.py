"""List filters shared by the resources: date (``X``, ``X<``, ``X>``) and enum filters."""

from ..errors import BadRequest
from ..timefmt import parse_date, parse_datetime, utc_date


def date_filters(args, name, attr):
    """``DateCreated=D`` on D, ``DateCreated<=D`` on or before, ``DateCreated>=D`` on or after."""
    preds = []
    for key, op in ((name, "eq"), (name + "<", "le"), (name + ">", "ge")):
        if key not in args:
            continue
        d = parse_date(args.get(key))
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


def datetime_filters(args, name, attr):
    """Calls: ``StartTime<`` before, ``StartTime>`` on or after, ``StartTime`` on that date."""
    preds = []
    for key, op in ((name, "eq"), (name + "<", "lt"), (name + ">", "ge")):
        if key not in args:
            continue
        t = parse_datetime(args.get(key))
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


def enum_filter(args, key, attr, choices):
    if key not in args:
        return []
    value = args.get(key)
    if value not in choices:
        raise BadRequest(f"Invalid {key}: {value!r}; allowed: {', '.join(choices)}", code=20001)
    return [lambda obj: getattr(obj, attr) == value]


def bool_filter(args, key, attr):
    if key not in args:
        return []
    value = args.get(key).strip().lower() == "true"
    return [lambda obj: bool(getattr(obj, attr)) == value]


def apply(items, preds):
    return [x for x in items if all(p(x) for p in preds)]
