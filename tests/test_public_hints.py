"""Issue 13: every public function and method of the package carries type hints.

A public function is a module-level function or a method whose name does not start
with ``_`` (dunder methods count too). Every parameter other than a method's leading
self/cls, and the return, must be annotated.
"""

from __future__ import annotations

import ast
from pathlib import Path

import twilio_conf_emulator

PACKAGE = Path(twilio_conf_emulator.__file__).resolve().parent


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _missing(fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> list[str]:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    decorators = {ast.unparse(d) for d in fn.decorator_list}
    if is_method and positional and "staticmethod" not in decorators:
        positional = positional[1:]  # self / cls
    params = [*positional, *args.kwonlyargs]
    if args.vararg is not None:
        params.append(args.vararg)
    if args.kwarg is not None:
        params.append(args.kwarg)
    missing = [p.arg for p in params if p.annotation is None]
    if fn.returns is None:
        missing.append("return")
    return missing


def _walk(body: list[ast.stmt], prefix: str, in_class: bool, out: list[tuple[str, int, list[str]]]) -> None:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if _is_public(node.name):
                missing = _missing(node, in_class)
                if missing:
                    out.append((prefix + node.name, node.lineno, missing))
        elif isinstance(node, ast.ClassDef):
            if _is_public(node.name):  # a private class's methods are not public
                _walk(node.body, f"{prefix}{node.name}.", True, out)
        elif isinstance(node, (ast.If, ast.Try)):
            # module-level definitions under `if` / `try` are still module-level
            for block in (node.body, node.orelse, *(h.body for h in getattr(node, "handlers", [])),
                          getattr(node, "finalbody", [])):
                _walk(block, prefix, in_class, out)


def unannotated() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        out: list[tuple[str, int, list[str]]] = []
        _walk(tree.body, "", False, out)
        rel = path.relative_to(PACKAGE.parent).as_posix()
        found += [f"{rel}::{name} (line {line}): {', '.join(missing)}" for name, line, missing in out]
    return found


def test_every_public_function_has_type_hints() -> None:
    found = unannotated()
    assert not found, f"{len(found)} public functions lack type hints:\n" + "\n".join(found)


def test_the_check_sees_a_missing_hint() -> None:
    """The walk finds what it must (a method, a function under ``if``), and skips self."""
    tree = ast.parse(
        "def ok(a: int) -> None: ...\n"
        "def _private(a): ...\n"
        "if True:\n"
        "    def bare(a, *rest: int) -> int: ...\n"
        "class C:\n"
        "    def m(self, b: str): ...\n"
        "    @staticmethod\n"
        "    def s(c) -> None: ...\n"
        "class _Hidden:\n"
        "    def m(self, x): ...\n")
    out: list[tuple[str, int, list[str]]] = []
    _walk(tree.body, "", False, out)
    assert [(name, missing) for name, _, missing in out] == [
        ("bare", ["a"]), ("C.m", ["return"]), ("C.s", ["c"])]
