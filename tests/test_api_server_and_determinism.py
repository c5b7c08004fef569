"""Same seed, same calls: same SIDs and byte-identical bodies. And the REST API over a real
``twilio-conf-emulator serve`` socket, driven by an unchanged twilio-python."""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.client import InProcessHttpClient

CALLER = "+15550000000"


class Capturing(InProcessHttpClient):
    def __init__(self, app):
        super().__init__(app)
        self.bodies = []

    def request(self, method, url, **kwargs):
        resp = super().request(method, url, **kwargs)
        self.bodies.append((method, resp.status_code, resp.text))
        return resp


def scenario(seed):
    """A fixed series of REST calls; returns every response body, byte for byte."""
    emu = Emulator(seed=seed)
    try:
        http = Capturing(emu.app)
        c = Client(emu.account_sid, emu.auth_token, http_client=http)
        c.edge = c.region = None
        emu.phone("+15551000003", outcome="busy")
        a = c.conferences("Det").participants.create(from_=CALLER, to="+15551000001",
                                                     label="a")
        c.conferences("Det").participants.create(from_=CALLER, to="+15551000002", muted=True)
        c.calls.create(to="+15551000003", from_=CALLER, url="https://example.com/v.xml")
        c.incoming_phone_numbers.create(phone_number="+15557000001")
        emu.advance(5)
        c.conferences(a.conference_sid).participants("a").update(hold=True)
        c.conferences(a.conference_sid).participants.list(page_size=1)
        c.conferences.list()
        c.calls.list(page_size=2)
        c.conferences(a.conference_sid).update(status="completed")
        emu.advance(1)
        c.conferences(a.conference_sid).fetch()
        c.calls.list()
        return http.bodies
    finally:
        emu.stop()


def sids(bodies):
    out = []
    for _, _, text in bodies:
        for token in text.replace('"', " ").replace("/", " ").replace(".", " ").split():
            if len(token) == 34 and token[:2] in ("CF", "CA", "PN"):
                out.append(token)
    return out


def test_same_seed_same_sids_and_byte_identical_bodies():
    first, second = scenario(7), scenario(7)
    assert len(first) == len(second) >= 12
    assert first == second
    assert len(set(sids(first))) >= 5


def test_different_seeds_give_different_sids():
    a, b = sids(scenario(1)), sids(scenario(2))
    assert len(a) == len(b) and a
    assert not set(a) & set(b)


# -- server mode ------------------------------------------------------------------------------
@pytest.fixture
def server(tmp_path):
    ready = tmp_path / "ready"
    env = dict(os.environ, TWILIO_EMULATOR_READY_FILE=str(ready))
    env.pop("TWILIO_ACCOUNT_SID", None)
    env.pop("TWILIO_AUTH_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "twilio_conf_emulator.cli", "serve", "--port", "0",
         "--db", "sqlite://", "--clock", "manual", "--seed", "5",
         "--account-sid", "AC" + "1" * 32, "--auth-token", "server-token"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (ready.exists() and ready.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("serve did not start: "
                                   + proc.stderr.read().decode(errors="replace"))
            time.sleep(0.05)
        yield ready.read_text().strip()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()


def advance(base, seconds):
    req = urllib.request.Request(f"{base}/_emulator/clock/advance",
                                 data=json.dumps({"seconds": seconds}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 200


def test_twilio_python_against_a_real_server(server):
    client = Client("AC" + "1" * 32, "server-token")
    client.api.base_url = server
    client.edge = client.region = None
    client.http_client.session.trust_env = False       # no proxy for 127.0.0.1

    p = client.conferences("Over HTTP").participants.create(from_=CALLER, to="+15551000001",
                                                            label="bob smith")
    assert p.status == "queued" and p.queue_time is not None
    advance(server, 5)
    conf = client.conferences(p.conference_sid)
    # The space in the label goes over the wire as %20 (requests encodes the path).
    fetched = conf.participants("bob smith").fetch()
    assert fetched.call_sid == p.call_sid and fetched.status == "connected"
    assert conf.participants("bob%20smith").update(muted=True).muted is True
    assert [x.call_sid for x in conf.participants.list()] == [p.call_sid]
    assert conf.participants("bob smith").delete() is True
    advance(server, 1)
    assert conf.fetch().status == "completed"

    call = client.calls.create(to="+15551000002", from_=CALLER, twiml="<Response/>")
    assert [c.sid for c in client.calls.stream(page_size=1)][-1] == p.call_sid
    assert call.sid in {c.sid for c in client.calls.list()}

    bad = Client("AC" + "1" * 32, "wrong")
    bad.api.base_url = server
    bad.edge = bad.region = None
    bad.http_client.session.trust_env = False
    with pytest.raises(TwilioRestException) as err:
        bad.conferences(p.conference_sid).fetch()
    assert (err.value.status, err.value.code) == (401, 20003)
    with pytest.raises(TwilioRestException) as err:
        client.conferences("CF" + "0" * 32).fetch()
    assert (err.value.status, err.value.code) == (404, 20404)
