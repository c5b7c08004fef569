"""Trim Twilio's TaskRouter v1 OpenAPI to the routes the emulator builds.

    python scripts/extract_taskrouter_v1_openapi.py ../shared/twilio-oai/twilio_taskrouter_v1.json

Writes twilio_conf_emulator/taskrouter/spec/taskrouter_v1_extract.json: the kept paths with
their parameters, request and response schemas, and every component schema (enums included)
they reference, trimmed as scripts/vendor_openapi.py trims the 2010 extracts (prose dropped).
The source note and Twilio's MIT notice sit beside it in SOURCE.md.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vendor_openapi  # noqa: E402  (a sibling script: one trimming rule for every extract)

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
OUT = os.path.join(os.path.dirname(__file__), "..", "twilio_conf_emulator", "taskrouter",
                   "spec", "taskrouter_v1_extract.json")
NOTE = ("Extract of Twilio's TaskRouter v1 OpenAPI (twilio/twilio-oai, MIT): the routes "
        "twilio-conf-emulator builds.")


def extract(spec):
    # The same trimming as the 2010 extracts (scripts/vendor_openapi.py): prose and x-* keys
    # go, names of properties and schemas never do, referenced schemas come along.
    return vendor_openapi.extract(spec, {p: spec["paths"][p] for p in KEPT_PATHS}, NOTE)


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
