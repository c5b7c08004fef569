"""Typed, warning-collecting access to one TwiML element's attributes (the parser's helpers)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import urljoin

from .model import SCHEMA_WARNING, TwimlWarning, Verb

METHODS = ("GET", "POST")
V = TypeVar("V", bound=Verb)


class Context:
    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.warnings: list[TwimlWarning] = []

    def warn(self, message: str, el: Any, attr: str | None = None, code: int = SCHEMA_WARNING) -> None:
        where = el.getroottree().getpath(el) + (f"/@{attr}" if attr else "")
        self.warnings.append(TwimlWarning(message, where, code))

    def resolve(self, url: str) -> str:
        """Relative -> absolute against the document URL; unchanged when there is none."""
        if self.base_url is None:
            return url
        return urljoin(self.base_url, url)

    def stray_text(self, el: Any, text: str | None, where: str) -> None:
        if text and text.strip():
            self.warn(f"text {text.strip()[:40]!r} is not allowed directly in {where}", el)



class Attrs:
    """Typed access to one element's attributes.  Every read marks the name as known;
    :meth:`build` then warns about whatever was written but never read."""

    def __init__(self, el: Any, ctx: Context, known: Iterable[str] = ()) -> None:
        self.el, self.ctx = el, ctx
        self.known = set(known)

    def raw(self, name: str) -> str | None:
        self.known.add(name)
        return self.el.get(name)

    def _bad(self, name: str, value: str, expected: str, code: int) -> None:
        self.ctx.warn(f"{name}={value!r} is not {expected}; using the default", self.el, name, code)

    def string(self, name: str, default: Any) -> Any:
        value = self.raw(name)
        return default if value is None else value

    def choice(self, name: str, default: Any, allowed: Iterable[str], code: int = SCHEMA_WARNING) -> Any:
        value = self.raw(name)
        if value is None:
            return default
        if value in allowed:
            return value
        self._bad(name, value, "one of " + ", ".join(allowed), code)
        return default

    def boolean(self, name: str, default: Any, code: int = SCHEMA_WARNING) -> Any:
        value = self.raw(name)
        if value is None:
            return default
        if value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self._bad(name, value, "true or false", code)
        return default

    def integer(self, name: str, default: Any, minimum: int | None = None, maximum: int | None = None,
                code: int = SCHEMA_WARNING) -> Any:
        value = self.raw(name)
        if value is None:
            return default
        text = value.strip()
        ok = re.fullmatch(r"[+-]?\d+", text) is not None
        number: Any = int(text) if ok else None
        if ok and (minimum is None or number >= minimum) and (maximum is None or number <= maximum):
            return number
        bounds = "an integer"
        if minimum is not None and maximum is not None:
            bounds = f"an integer from {minimum} to {maximum}"
        elif minimum is not None:
            bounds = f"an integer >= {minimum}"
        self._bad(name, value, bounds, code)
        return default

    def method(self, name: str, default: Any, code: int = SCHEMA_WARNING) -> Any:
        value = self.raw(name)
        if value is None:
            return default
        if value.strip().upper() in METHODS:
            return value.strip().upper()
        self._bad(name, value, "GET or POST", code)
        return default

    def url(self, name: str, default: Any) -> Any:
        """A URL attribute, resolved against the document; empty counts as absent."""
        value = self.raw(name)
        if value is None or not value.strip():
            return default
        return self.ctx.resolve(value.strip())

    def tokens(self, name: str, default: Iterable[str], allowed: Iterable[str]) -> list[str]:
        """A space-separated list (statusCallbackEvent="start end join").  Absent -> default;
        unknown words are dropped with a warning."""
        value = self.raw(name)
        if value is None:
            return list(default)
        words: list[str] = []
        bad: list[str] = []
        for word in value.split():
            (words if word in allowed else bad).append(word)
        if bad:
            hint = ""
            if value.lstrip().startswith("["):
                hint = " (a Python list was passed to twilio-python; pass a space-separated string)"
            self.ctx.warn(f"{name}: ignoring {' '.join(bad)!r}, expected words from {' '.join(allowed)}{hint}",
                          self.el, name)
        return list(dict.fromkeys(words))

    def finish(self) -> None:
        for name in self.el.attrib:
            if name in self.known:
                continue
            hint = ""
            near = [k for k in self.known if k.lower() == name.lower()]
            if near:
                hint = f"; names are case-sensitive, did you mean {near[0]!r}?"
            else:
                near = difflib.get_close_matches(name, sorted(self.known), n=1, cutoff=0.8)
                hint = f"; did you mean {near[0]!r}?" if near else ""
            self.ctx.warn(f"<{self.el.tag}> has no attribute {name!r}{hint}", self.el, name)

    def build(self, cls: type[V], **values: Any) -> V:
        self.finish()
        return cls(**values, location=self.el.getroottree().getpath(self.el), attributes=dict(self.el.attrib))
