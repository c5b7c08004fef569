"""Trim Twilio's TaskRouter v1 OpenAPI to the routes the emulator builds.

    python scripts/extract_taskrouter_v1_openapi.py ../shared/twilio-oai/twilio_taskrouter_v1.json

Writes twilio_conf_emulator/taskrouter/spec/taskrouter_v1_extract.json: the kept paths with
their parameters, request and response schemas, and every component schema (enums included)
they reference; descriptions, summaries and examples are dropped. The source note and Twilio's
MIT notice sit beside it in SOURCE.md.
"""

import json
import os
import sys

KEPT_PATHS = (
    "/v1/Workspaces",
    "/v1/Workspaces/{Sid}",
    "/v1/Workspaces/{WorkspaceSid}/Activities",
    "/v1/Workspaces/{WorkspaceSid}/Activities/{Sid}",
    "/v1/Workspaces/{WorkspaceSid}/TaskQueues",
    "/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sid}",
    "/v1/Workspaces/{WorkspaceSid}/Workflows",
    "/v1/Workspaces/{WorkspaceSid}/Workflows/{Sid}",
    "/v1/Workspaces/{WorkspaceSid}/Workers",
    "/v1/Workspaces/{WorkspaceSid}/Workers/{Sid}",
    "/v1/Workspaces/{WorkspaceSid}/Tasks",
    "/v1/Workspaces/{WorkspaceSid}/Tasks/{Sid}",
    "/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations",
    "/v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations/{Sid}",
    "/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations",
    "/v1/Workspaces/{WorkspaceSid}/Workers/{WorkerSid}/Reservations/{Sid}",
)
DROPPED_KEYS = {"description", "summary", "example", "examples", "x-twilio"}
OUT = os.path.join(os.path.dirname(__file__), "..", "twilio_conf_emulator", "taskrouter",
                   "spec", "taskrouter_v1_extract.json")


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROPPED_KEYS}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def refs(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[-1])
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def extract(spec):
    paths = {p: strip(spec["paths"][p]) for p in KEPT_PATHS}
    schemas = spec["components"]["schemas"]
    names, todo = set(), set()
    refs(paths, todo)
    while todo:
        name = todo.pop()
        if name in names:
            continue
        names.add(name)
        refs(schemas[name], todo)
    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"],
                 "license": spec["info"].get("license"),
                 "description": "Extract of Twilio's TaskRouter v1 OpenAPI (twilio/twilio-oai, "
                                "MIT): the routes twilio-conf-emulator builds."},
        "servers": spec.get("servers", []),
        "paths": paths,
        "components": {"securitySchemes": spec["components"].get("securitySchemes", {}),
                       "schemas": {n: strip(schemas[n]) for n in sorted(names)}},
    }


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "twilio-oai", "twilio_taskrouter_v1.json")
    with open(src) as fh:
        out = extract(json.load(fh))
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"{len(out['paths'])} paths, {len(out['components']['schemas'])} schemas -> {OUT}")


if __name__ == "__main__":
    main(sys.argv)
