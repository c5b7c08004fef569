"""The house rules a reader relies on: imports flow one way (no circle, function-local imports
included) and no source file outgrows a screenful of screens (500 lines).

Imports under ``if TYPE_CHECKING:`` are not imports at run time (annotations only: a module that
types ``eng: Engine`` while ``core`` imports it), so they are left out of the graph."""

import ast
from pathlib import Path

import twilio_conf_emulator

PACKAGE = Path(twilio_conf_emulator.__file__).parent
NAME = "twilio_conf_emulator"
MAX_LINES = 500


def _modules():
    """{dotted name: path} of every module in the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name, path, modules):
    """The package's modules ``name`` imports, wherever the import statement is."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text(), str(path))
    typing_only = {id(n) for block in ast.walk(tree) if _is_type_checking_block(block)
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from pkg import mod`` imports the module; ``from mod import name`` the module.
            targets = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in modules else prefix
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # ``import a.b.c`` -> the longest module
                target = target.rpartition(".")[0]
            if target and target.startswith(NAME) and target != name:
                found.add(target)
    return found


def _is_type_checking_block(node):
    return isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",
                                                                   "typing.TYPE_CHECKING")


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def import_graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_the_import_graph_is_seen():
    graph = import_graph()
    # The walk must see function-local imports too, or the next test proves nothing.
    assert "twilio_conf_emulator.app" in graph["twilio_conf_emulator.wsgi"]
    assert "twilio_conf_emulator.engine.core" in graph["twilio_conf_emulator.engine.calls"] or \
        "twilio_conf_emulator.engine.callbacks" in graph["twilio_conf_emulator.engine.calls"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    # An annotations-only import is no edge (the engine core's helpers type ``eng: Engine``).
    assert "twilio_conf_emulator.engine.core" not in graph["twilio_conf_emulator.engine.bounds"]
    assert "twilio_conf_emulator.engine.bounds" in graph["twilio_conf_emulator.engine.core"]


def test_no_import_circle_anywhere_in_the_package():
    cycles = _cycles(import_graph())
    assert cycles == [], "import circles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_source_file_is_over_500_lines():
    roots = [PACKAGE, PACKAGE.parent / "tests", PACKAGE.parent / "scripts"]
    long = {str(p.relative_to(PACKAGE.parent)): n for root in roots if root.exists()
            for p in root.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}
