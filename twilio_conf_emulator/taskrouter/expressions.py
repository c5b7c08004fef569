"""The subset of TaskRouter's expression language the emulator evaluates.

Grammar (keywords case-insensitive)::

    expr    := and_ ( OR and_ )*
    and_    := cmp ( AND cmp )*
    cmp     := '(' expr ')' | value ( OP value )?
    OP      := == | != | > | < | >= | <= | IN | NOT IN | HAS | CONTAINS
    value   := 'string' | "string" | number | true | false | null | [value, ...] | name
    name    := identifier ( '.' identifier )*

A bare name reads the default side (a Workflow filter: the Task's attributes; a TaskQueue's
TargetWorkers: the Worker's); ``task.x`` and ``worker.x`` name a side explicitly. A missing
attribute is null, and a comparison with null is false (as Twilio's are). Anything outside the
subset raises :class:`ExpressionError` when the expression is saved (code 20001).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import BadRequest

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'[^']*'|"[^"]*")
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|>=|<=|>|<|\(|\)|\[|\]|,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)
)""", re.X)
_MAX_LENGTH = 4096
# A compiled expression: ("or"|"and", left, right), ("truthy", value), ("cmp", op, left, right),
# whose values are ("lit", constant), ("name", dotted.path) or ("list", [values]).
Node = tuple[Any, ...]
Token = tuple[str, Any]  # (kind, value): op, lit (a JSON constant) or name
_WORD_OPS = {"IN", "HAS", "CONTAINS", "AND", "OR", "NOT"}


class ExpressionError(BadRequest):
    def __init__(self, message: str) -> None:
        super().__init__(f"Invalid expression: {message}", code=20001)


def _tokens(text: str) -> list[Token]:
    if len(text) > _MAX_LENGTH:
        raise ExpressionError("too long")
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ExpressionError(f"unexpected {text[pos:pos + 10]!r}")
        pos = m.end()
        kind = m.lastgroup
        assert kind is not None  # every alternative is a named group
        val = m.group(kind)
        if kind == "name" and val.upper() in _WORD_OPS:
            out.append(("op", val.upper()))
        elif kind == "name" and val.lower() in ("true", "false", "null"):
            out.append(("lit", {"true": True, "false": False, "null": None}[val.lower()]))
        elif kind == "str":
            out.append(("lit", val[1:-1]))
        elif kind == "num":
            out.append(("lit", float(val) if "." in val else int(val)))
        else:
            out.append((kind, val))
    return out


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.t, self.i = tokens, 0

    def peek(self) -> Token | tuple[None, None]:
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, kind: str | None = None, val: str | None = None) -> Token:
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (val and tok[1] != val):
            raise ExpressionError(f"expected {val or kind}, found {tok[1]!r}")
        self.i += 1
        return tok

    def expr(self) -> Node:
        node = self.and_()
        while self.peek() == ("op", "OR"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.cmp()
        while self.peek() == ("op", "AND"):
            self.take()
            node = ("and", node, self.cmp())
        return node

    def cmp(self) -> Node:
        if self.peek() == ("op", "("):
            self.take()
            node = self.expr()
            self.take("op", ")")
            return node
        left = self.value()
        kind, val = self.peek()
        if kind != "op" or val in ("AND", "OR", ")", ",", "]"):
            return ("truthy", left)
        self.take()
        if val == "NOT":
            self.take("op", "IN")
            val = "NOT IN"
        if val not in ("==", "!=", ">", "<", ">=", "<=", "IN", "NOT IN", "HAS", "CONTAINS"):
            raise ExpressionError(f"unexpected {val!r}")
        return ("cmp", val, left, self.value())

    def value(self) -> Node:
        kind, val = self.peek()
        if kind == "lit":
            self.take()
            return ("lit", val)
        if kind == "name":
            self.take()
            return ("name", val)
        if (kind, val) == ("op", "["):
            self.take()
            items = []
            while self.peek() != ("op", "]"):
                items.append(self.value())
                if self.peek() == ("op", ","):
                    self.take()
                elif self.peek() != ("op", "]"):
                    raise ExpressionError("expected , or ] in a list")
            self.take()
            return ("list", items)
        raise ExpressionError(f"expected a value, found {val!r}")


def compile_expression(text: object) -> Node:
    """Parse ``text``; raises :class:`ExpressionError` (20001) outside the subset."""
    if text is not None and not isinstance(text, str):
        raise ExpressionError("an expression is a string")
    text = (text or "").strip()
    if not text:
        raise ExpressionError("empty")
    p = _Parser(_tokens(text))
    node = p.expr()
    if p.i != len(p.t):
        raise ExpressionError(f"unexpected {p.peek()[1]!r}")
    return node


def _lookup(name: str, scope: Mapping[str, Any], default_side: str) -> Any:
    parts = name.split(".")
    if parts[0] in ("task", "worker") and len(parts) > 1:
        side, parts = parts[0], parts[1:]
    else:
        side = default_side
    cur = scope.get(side) or {}
    for part in parts:
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _val(node: Node, scope: Mapping[str, Any], side: str) -> Any:
    if node[0] == "lit":
        return node[1]
    if node[0] == "list":
        return [_val(n, scope, side) for n in node[1]]
    return _lookup(node[1], scope, side)


def _compare(op: str, a: Any, b: Any) -> bool:
    if op in ("IN", "NOT IN"):
        inside = a in b if isinstance(b, list) else (a is not None and a == b)
        if isinstance(a, list) and isinstance(b, list):
            inside = any(x in b for x in a)
        return inside if op == "IN" else (a is not None and not inside)
    if op in ("HAS", "CONTAINS"):
        if isinstance(a, list):
            return b in a
        return isinstance(a, str) and isinstance(b, str) and b in a
    if a is None or b is None:
        return False
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    try:
        return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]
    except TypeError:
        return False


def evaluate(node: Node, task: Mapping[str, Any] | None = None, worker: Mapping[str, Any] | None = None,
             side: str = "task") -> bool:
    """Evaluate a compiled expression over ``task`` and ``worker`` attribute dicts."""
    scope = {"task": task or {}, "worker": worker or {}}
    kind = node[0]
    if kind == "or":
        return evaluate(node[1], task, worker, side) or evaluate(node[2], task, worker, side)
    if kind == "and":
        return evaluate(node[1], task, worker, side) and evaluate(node[2], task, worker, side)
    if kind == "truthy":
        return bool(_val(node[1], scope, side))
    return _compare(node[1], _val(node[2], scope, side), _val(node[3], scope, side))


def matches(text: str, task: Mapping[str, Any] | None = None, worker: Mapping[str, Any] | None = None,
            side: str = "task") -> bool:
    return evaluate(compile_expression(text), task, worker, side)
