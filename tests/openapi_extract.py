"""The extract the route walk validates against: the conference extract plus the paths this
project added later (call recordings), taken from the vendored served extract (every path of
Twilio's 2010 spec the app answers) with every schema they reference."""

import copy

EXTRA_PATHS = (
    "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json",
    "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json",
)


def _refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out.add(ref.rsplit("/", 1)[-1])
        for v in node.values():
            _refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _refs(v, out)


def build(conference, served):
    spec = copy.deepcopy(conference)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    todo = set()
    for path in EXTRA_PATHS:
        spec["paths"][path] = copy.deepcopy(served["paths"][path])
        _refs(spec["paths"][path], todo)
    while todo:
        name = todo.pop()
        if name in schemas:
            continue
        schemas[name] = copy.deepcopy(served["components"]["schemas"][name])
        _refs(schemas[name], todo)
    return spec
