"""README.rst is executable: every Python, shell and JavaScript example runs as written
(placeholders replaced as the README declares) against a server this test starts, and every
control route has a curl example.  See tests/readme_examples.py for the rules."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import requests
from readme_examples import examples, placeholders, substitute
from serve_helpers import NODE_DIR, Served, node_packages  # noqa: F401 - a fixture

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
README = open(os.path.join(ROOT, "README.rst"), encoding="utf-8").read()
EXAMPLES = examples(README)
PLACEHOLDERS = placeholders(README)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("readme-server"))
    yield s
    s.stop()


def _fresh_world(served):
    """Reset the server and make the conference the README's placeholder stands for."""
    session = requests.Session()
    session.trust_env = False
    session.post(f"{served.url}/_emulator/reset", timeout=60).raise_for_status()
    session.post(f"{served.url}/_emulator/phones", json={"number": "+15550000002",
                                                          "answer_after": 1}, timeout=60)
    from twilio_conf_emulator.client import server_client

    client = server_client(served.url, "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                           "emulator-auth-token")
    p = client.conferences("Readme").participants.create(from_="+15550000001",
                                                         to="+15550000002")
    served.advance(5)
    return p.conference_sid


def _values(served, conference_sid):
    known = {"server-url": served.url, "proxy-port": str(served.proxy_port),
             "conference-sid": conference_sid}
    unknown = set(PLACEHOLDERS.values()) - set(known)
    assert not unknown, f"README declares placeholder kinds this test does not know: {unknown}"
    return {literal: known[kind] for literal, kind in PLACEHOLDERS.items()}


def _env(served):
    env = {k: v for k, v in os.environ.items()
           if k not in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy",
                        "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_EDGE",
                        "TWILIO_REGION", "TWILIO_EMULATOR_URL")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["TWILIO_EMULATOR_HOME"] = served.home
    env["NODE_PATH"] = os.path.join(NODE_DIR, "node_modules")
    env["PYTHONPATH"] = ""  # the example sees only what is installed, and its own directory
    return env


def _workdir(tmp_path):
    """A directory like a user's checkout: the examples' fixtures/ beside them."""
    shutil.copytree(os.path.join(ROOT, "fixtures"), tmp_path / "fixtures")
    return tmp_path


RUNNABLE = [e for e in EXAMPLES if e.kind not in ("data",)]


@pytest.mark.parametrize("example", RUNNABLE, ids=repr)
def test_readme_example_runs(example, served, node_packages, tmp_path):  # noqa: F811
    assert example.kind is not None, (
        f"README line {example.line}: '{example.lang}' examples cannot be run; use python, "
        "shell or javascript, a data language, or mark it 'readme-test: skip: REASON'")
    if example.skip is not None:
        assert example.skip, f"README line {example.line}: a skipped example must say why"
        return  # not run, by the README's own explicit, reasoned marker
    code = substitute(example.code, _values(served, _fresh_world(served)))
    cwd = _workdir(tmp_path)
    if example.kind == "python" and re.search(r"^def test_", code, re.M):
        (cwd / "test_readme_example.py").write_text(code)
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p",
               "no:cacheprovider", "test_readme_example.py"]
    elif example.kind == "python":
        (cwd / "example.py").write_text(code)
        cmd = [sys.executable, "example.py"]
    elif example.kind == "node":
        (cwd / "example.js").write_text(code)
        cmd = ["node", "example.js"]
    else:
        (cwd / "example.sh").write_text(code)
        cmd = ["bash", "-e", "-o", "pipefail", "example.sh"]
    env = _env(served)
    # Every curl of the README must get a 2xx answer, not only exit 0.
    (cwd / ".curlrc").write_text("fail-with-body\n")
    env["CURL_HOME"] = str(cwd)
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, (f"README line {example.line} ({example.lang}) failed:\n"
                                 f"{code}\n--- stdout\n{out.stdout[-3000:]}\n"
                                 f"--- stderr\n{out.stderr[-3000:]}")


def test_every_control_route_has_a_curl_example():
    from twilio_conf_emulator import Emulator

    curl = "\n".join(e.code for e in EXAMPLES if e.kind == "shell" and "curl" in e.code)
    emu = Emulator()
    try:
        rules = [r for r in emu.app.url_map.iter_rules()
                 if r.rule.startswith("/_emulator/") and "<path:" not in r.rule]
        missing = []
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                path = rule.rule[len("/_emulator"):]
                for variant in re.findall(r"<any\(([^)]*)\):\w+>", path) or [None]:
                    p = path
                    if variant:  # timeline.<any(html, json)>: each format its own example
                        for choice in variant.split(","):
                            missing += _check(curl, method, re.sub(r"<any\([^)]*\):\w+>",
                                                                   choice.strip(), p))
                        continue
                    missing += _check(curl, method, p)
    finally:
        emu.stop()
    assert not missing, f"control routes with no curl example in README.rst: {missing}"


def _check(curl, method, path):
    pattern = re.escape(path)
    pattern = re.sub(r"<[^>]+>", r"[^/\\s\"]+", pattern.replace(r"\<", "<").replace(r"\>", ">"))
    lines = [ln for ln in curl.splitlines() if re.search(r"\$E" + pattern + r"(\s|$|\"|\?|\))",
                                                         ln + " ")]
    def verb(ln):
        if "-X DELETE" in ln:
            return "DELETE"
        return "POST" if "--json" in ln or "-X POST" in ln or " -d " in ln else "GET"

    ok = [ln for ln in lines if verb(ln) == method]
    return [] if ok else [f"{method} /_emulator{path}"]


def test_the_readme_has_runnable_examples_of_each_kind():
    kinds = {e.kind for e in EXAMPLES if e.skip is None}
    assert {"python", "shell", "node"} <= kinds
    assert PLACEHOLDERS  # the README says what the test replaces


def test_yaml_examples_that_are_scenarios_pass_the_schema():
    import yaml

    from twilio_conf_emulator.scenario_schema import problems

    keys = {"run", "callers", "numbers", "phones", "actions"}
    for e in EXAMPLES:
        if e.lang == "yaml":
            data = yaml.safe_load(e.code)
            if isinstance(data, dict) and keys & set(data):
                assert problems(data) == [], f"README line {e.line}"


SYNTHETIC = '''Title
=====

.. readme-test: the examples
   placeholder http://127.0.0.1:8080 = server-url

Run it::

    twilio-conf-emulator serve --port 8080   # readme-test: skip: serves forever

.. readme-test: skip: needs a browser

.. code-block:: python

    import webbrowser

.. code-block:: console

    $ curl http://127.0.0.1:8080/_emulator/health \\\\
        -sS
    {"status": "ok"}

.. code-block:: yaml

    run: 10
'''


def test_the_example_rules():
    found = examples(SYNTHETIC)
    assert [(e.lang, e.kind, e.skip) for e in found] == [
        ("shell", "shell", "serves forever"), ("python", "python", "needs a browser"),
        ("console", "shell", None), ("yaml", "data", None)]
    assert found[2].code == "curl http://127.0.0.1:8080/_emulator/health \\\\\n    -sS\n"
    assert placeholders(SYNTHETIC) == {"http://127.0.0.1:8080": "server-url"}
    assert substitute(found[2].code, {"http://127.0.0.1:8080": "http://127.0.0.1:5"}) \
        .startswith("curl http://127.0.0.1:5/_emulator/health")
