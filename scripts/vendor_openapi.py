"""Vendor the Twilio OpenAPI extracts the tests validate against into ``tests/twilio_oai/``.

    python scripts/vendor_openapi.py [--shared ../shared]

Reads ``SHARED/twilio-oai/*.json`` (Twilio's own OpenAPI, MIT) and
``SHARED/reference/twilio-python-examples.json`` (twilio-python's generated tests, MIT) and
writes trimmed copies the test suite reads, so it never needs ``../shared``:

- ``twilio_api_v2010_conference.json``: the conference extract, trimmed;
- ``twilio_api_v2010_served.json``: of the whole 2010 spec, the paths this project serves
  (every path template the app's url map answers, with the methods it answers), trimmed;
- ``twilio_python_examples.json``: the helper library's example bodies, keys only;
- ``SOURCE.md``: where they come from, the MIT notice, and how they were trimmed.

Trimming keeps paths, operations, parameters, request bodies, responses, schemas and enums
(everything a validator reads) and drops the prose: ``description``, ``summary``, examples and
the ``x-twilio`` extensions. Property, schema and parameter names are never dropped, whatever
they are called. Output is sorted and stable: running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "twilio_oai"
PROSE = {"description", "summary", "example", "examples", "externalDocs"}
# Mappings whose keys are names (of properties, schemas, paths...), not OpenAPI keywords.
NAMED = {"properties", "schemas", "paths", "responses", "content", "securitySchemes",
         "headers", "links", "callbacks"}
METHODS = ("get", "post", "put", "delete", "patch")
PLACEHOLDER = "XX00000000000000000000000000000000"


def trim(node: Any, names: bool = False) -> Any:
    """``node`` without prose and vendor extensions (``names``: its keys are names, keep them)."""
    if isinstance(node, list):
        return [trim(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if not names and (key in PROSE or key.startswith("x-")):
            continue
        out[key] = trim(value, names=not names and key in NAMED)
    return out


def used_schemas(spec: dict, paths: dict) -> dict:
    """The component schemas ``paths`` reference, directly or through other schemas."""
    schemas = spec["components"]["schemas"]
    wanted: set[str] = set()
    todo = [paths]
    while todo:
        for name in re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(todo.pop())):
            if name not in wanted:
                wanted.add(name)
                todo.append(schemas[name])
    return {name: schemas[name] for name in sorted(wanted)}


def extract(spec: dict, paths: dict, note: str) -> dict:
    out = trim({
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": spec.get("servers", []),
        "security": spec.get("security", []),
        "paths": paths,
        "components": {"securitySchemes": spec["components"].get("securitySchemes", {}),
                       "schemas": used_schemas(spec, paths)},
    })
    out["info"]["x-extract"] = note  # after trimming, which drops x-* keys
    return out


def served_paths(spec: dict) -> dict:
    """The spec's paths (and methods) the emulator's app answers."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    from twilio_conf_emulator import Emulator

    adapter = Emulator().app.url_map.bind("api.twilio.com")
    out = {}
    for template, item in spec["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", PLACEHOLDER, template)
        kept = {k: v for k, v in item.items() if k == "parameters"}  # shared by its methods
        for method, op in item.items():
            if method not in METHODS:
                continue
            try:
                _, args = adapter.match(concrete, method=method.upper(), return_rule=True)
            except (NotFound, MethodNotAllowed):
                continue
            # Every argument is a placeholder (or the extension): not a literal segment
            # (IncomingPhoneNumbers/Local.json) taken for a SID.
            if all(v in (PLACEHOLDER, "json") for v in args.values()):
                kept[method] = op
        if any(m in kept for m in METHODS):
            out[template] = kept
    return out


def example_shapes(examples: dict) -> dict:
    """Each example body with its values dropped: the keys are what the tests compare."""
    def shape(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: shape(x) for k, x in v.items()}
        if isinstance(v, list):
            return [shape(x) for x in v if isinstance(x, (dict, list))]
        return None

    out = {"_meta": examples.get("_meta", {})}
    for name, ex in examples.items():
        if name != "_meta" and isinstance(ex, dict) and isinstance(ex.get("body"), dict):
            out[name] = {"status": ex.get("status"), "body": shape(ex["body"])}
    return out


def write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"),
                    help="the directory holding twilio-oai/ and reference/ (default ../shared)")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    oai = shared / "twilio-oai"
    OUT.mkdir(parents=True, exist_ok=True)

    conference = json.loads((oai / "twilio_api_v2010_conference.json").read_text())
    write(OUT / "twilio_api_v2010_conference.json",
          extract(conference, conference["paths"],
                  "trimmed by scripts/vendor_openapi.py from twilio_api_v2010_conference.json"))
    whole = json.loads((oai / "twilio_api_v2010.json").read_text())
    write(OUT / "twilio_api_v2010_served.json",
          extract(whole, served_paths(whole),
                  "trimmed by scripts/vendor_openapi.py from twilio_api_v2010.json: the paths "
                  "twilio-conf-emulator serves"))
    examples = json.loads((shared / "reference" / "twilio-python-examples.json").read_text())
    write(OUT / "twilio_python_examples.json", example_shapes(examples))

    source = (oai / "SOURCE.md").read_text()
    (OUT / "SOURCE.md").write_text(
        "# Vendored, trimmed Twilio OpenAPI extracts (and example shapes)\n\n"
        "Written by `scripts/vendor_openapi.py` from `../shared`; do not edit by hand, run the "
        "script again.\nTrimmed: `description`, `summary`, examples and `x-*` extensions are "
        "dropped; paths, parameters,\nrequest bodies, responses, schemas and enums are kept "
        "unchanged. `twilio_python_examples.json`\nkeeps only the keys of twilio-python's "
        "example bodies (source and MIT license in its `_meta`).\n\n"
        "The upstream note follows, unchanged (it carries the MIT notice these copies keep).\n\n"
        + source)
    print(f"wrote {(OUT / 'SOURCE.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
