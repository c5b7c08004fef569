"""twilio-node and twilio-cli against the emulator: through the HTTPS proxy with the
environment `twilio-conf-emulator env` prints, and twilio-node with ``baseUrl`` too.

The node packages come from tests/node/package.json (and its lock), installed by
``npm ci`` on first use into tests/node/node_modules (ignored by git, kept between runs).
Node and npm are required: these tests fail, never skip, where they are missing."""

import json
import os
import subprocess

import pytest
from serve_helpers import NODE_DIR, Served, node_packages  # noqa: F401 - a fixture

TWILIO_CLI = os.path.join(NODE_DIR, "node_modules", ".bin", "twilio")


@pytest.fixture
def served(tmp_path):
    s = Served(tmp_path)
    yield s
    s.stop()


def _steps(out):
    assert out.returncode == 0, out.stderr[-3000:]
    return {s["step"]: s for s in map(json.loads, out.stdout.splitlines())}


def _check(steps):
    assert steps["update"]["muted"] is True
    assert steps["list"]["callSids"] == [steps["create"]["callSid"]]
    assert (steps["missing"]["code"], steps["missing"]["status"]) == (20404, 404)


def test_twilio_node_through_the_proxy(node_packages, served):  # noqa: F811
    env = dict(served.client_env(), EMULATOR_CONTROL_URL=served.url)
    out = subprocess.run(["node", "participants.js"], cwd=node_packages, env=env,
                         capture_output=True, text=True, timeout=180)
    _check(_steps(out))


def test_twilio_node_with_base_url_ignores_edge_and_region(node_packages, served):  # noqa: F811
    env = dict(os.environ, TWILIO_ACCOUNT_SID="ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
               TWILIO_AUTH_TOKEN="emulator-auth-token", EMULATOR_BASE_URL=served.url,
               EMULATOR_CONTROL_URL=served.url, TWILIO_EDGE="sydney", TWILIO_REGION="au1")
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        env.pop(name, None)
    out = subprocess.run(["node", "participants.js"], cwd=node_packages, env=env,
                         capture_output=True, text=True, timeout=180)
    _check(_steps(out))


def test_twilio_cli_through_the_proxy(node_packages, served, tmp_path):  # noqa: F811
    home = tmp_path / "home"
    home.mkdir()
    env = dict(served.client_env(), HOME=str(home), TWILIO_SKIP_UPDATE_CHECK="1")

    def twilio(*args, code=0):
        out = subprocess.run([TWILIO_CLI, *args, "-o", "json"], env=env,
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == code, out.stderr[-3000:]
        return json.loads(out.stdout)

    [p] = twilio("api:core:conferences:participants:create", "--conference-sid", "CliRoom",
                 "--from", "+15550000003", "--to", "+15550000004")
    served.advance(10)
    cf, ca = p["conferenceSid"], p["callSid"]
    [u] = twilio("api:core:conferences:participants:update", "--conference-sid", cf,
                 "--call-sid", ca, "--muted")
    assert u["muted"] is True
    listed = twilio("api:core:conferences:participants:list", "--conference-sid", cf)
    assert [x["callSid"] for x in listed] == [ca]
    [err] = twilio("api:core:conferences:fetch", "--sid", "CF00000000000000000000000000000000",
                   code=20)  # twilio-cli's exit status for an API error
    assert (err["code"], err["status"]) == (20404, 404)
