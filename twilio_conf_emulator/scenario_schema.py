"""Scenario files checked against the JSON Schema shipped in the package
(``schemas/scenario.schema.json``): a misspelt key (``calers:``, ``hangup_afer``) is an error
naming the file and the path to the key, never silently ignored."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    from collections.abc import Iterable

    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "schemas", "scenario.schema.json")


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return Draft202012Validator(json.load(fh))


def _where(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _message(err: ValidationError) -> str:
    """One readable sentence for a jsonschema error, with the path to the offending key."""
    if err.validator == "additionalProperties":
        known = sorted(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in known)
        return (f"{_where(list(err.absolute_path) + [extra[0]])}: unknown key {extra[0]!r} "
                f"(known here: {', '.join(known)})")
    if err.validator == "oneOf" and err.absolute_path and "digits" in err.absolute_path:
        return f"{_where(err.absolute_path)}: {err.instance!r} is not SECONDS:KEYS (e.g. \"3:1#\")"
    return f"{_where(err.absolute_path)}: {err.message}"


def problems(data: object) -> list[str]:
    """Every schema error of ``data``, first by position in the file."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [_message(e) for e in errors]
