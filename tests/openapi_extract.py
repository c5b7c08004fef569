"""The project's OpenAPI extract: the shared conference extract plus the paths this project
added later, taken from Twilio's whole 2010-04-01 spec with every schema they reference.

Nothing of the spec is copied into the project: the extra paths are named here and read
from ``../shared/twilio-oai/twilio_api_v2010.json``.
"""

import copy
import json
import os

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


def build(extract_path, full_path):
    with open(extract_path) as fh:
        spec = json.load(fh)
    if not os.path.exists(full_path):
        return spec
    with open(full_path) as fh:
        full = json.load(fh)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    todo = set()
    for path in EXTRA_PATHS:
        spec["paths"][path] = copy.deepcopy(full["paths"][path])
        _refs(spec["paths"][path], todo)
    while todo:
        name = todo.pop()
        if name in schemas:
            continue
        schemas[name] = copy.deepcopy(full["components"]["schemas"][name])
        _refs(schemas[name], todo)
    return spec
