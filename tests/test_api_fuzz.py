"""Junk in every parameter of every route never yields a 5xx, a refused request changes
nothing, unknown parameters are ignored, and multi-value parameters come both ways.

Parameter names come from Twilio's OpenAPI (every create, update and list parameter of every
operation of the extract); requests are sent raw with werkzeug's test client so that junk
reaches the server exactly as written.
"""

import base64
import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_api_openapi import Operations

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.store import models

CALLER = "+15550000000"
ERROR_KEYS = {"code", "message", "more_info", "status"}

JUNK = [
    "", " ", "x" * 5000, "ünïcødé 😀 中文\u202e", "\x00", "%00", "0", "-1",
    "99999999999999999999999999", "NaN", "3.5", '{"a": [1, {"b": null}]}', "true",
    "CA" + "0" * 32, "https://exa mple.com/<x>", "<Response/>", "../../etc/passwd",
]
# Bodies no urlencode produces: invalid UTF-8, broken escapes, a lone key.
RAW_BODIES = ["{name}=%FF%FE", "{name}=%", "{name}=%zz", "{name}", "{name}=a&{name}=%C3"]


def auth(emu):
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Fuzzer:
    def __init__(self, emu, spec):
        self.emu = emu
        self.spec = spec
        self.web = emu.app.test_client()
        self.headers = auth(emu)
        self.sent = 0
        self.n = 0
        self.ops = Operations(spec)

    # -- the state the routes act on -------------------------------------------------------
    def setup(self):
        c = self.emu.client
        a = c.conferences("Main").participants.create(from_=CALLER, to="+15551000001",
                                                      label="alpha")
        c.conferences("Main").participants.create(from_=CALLER, to="+15551000002",
                                                  label="beta")
        self.call = c.calls.create(to="+15551000003", from_=CALLER,
                                   twiml="<Response><Pause length=\"3600\"/></Response>").sid
        self.number = c.incoming_phone_numbers.create(phone_number="+15557000000").sid
        self.emu.advance(5)
        self.conf = a.conference_sid
        self.part = a.call_sid
        self.calls_before = len(c.calls.list())

    def unique_number(self):
        self.n += 1
        return f"+1555800{self.n:04d}"

    def base(self, key):
        """Valid parameters for an operation, so junk in one field is the only fault."""
        return {
            ("POST", "/Participants.json"): {"From": CALLER, "To": "+15552000000"},
            ("POST", "/Calls.json"): {"From": CALLER, "To": "+15552000000",
                                      "Twiml": "<Response/>"},
            ("POST", "/IncomingPhoneNumbers.json"): {"PhoneNumber": self.unique_number()},
        }.get(key, {})

    def concrete(self, template):
        acct = self.emu.account_sid
        return (template.replace("{AccountSid}", acct).replace("{Sid}.json", "{X}.json")
                .replace("Accounts/{X}.json", f"Accounts/{acct}.json")
                .replace("Conferences/{X}.json", f"Conferences/{self.conf}.json")
                .replace("{ConferenceSid}", self.conf)
                .replace("Participants/{CallSid}.json", f"Participants/{self.part}.json")
                .replace("Calls/{X}.json", f"Calls/{self.call}.json")
                .replace("Calls/{CallSid}/", f"Calls/{self.call}/")
                .replace("IncomingPhoneNumbers/{X}.json",
                         f"IncomingPhoneNumbers/{self.number}.json"))

    def snapshot(self, path):
        """The resource a POST to ``path`` would change (instances), or the whole account's
        counts (creates)."""
        if path.endswith("Participants.json") or path.endswith("Calls.json") \
                or path.endswith("IncomingPhoneNumbers.json"):
            return self.counts()
        return self.web.get(path, headers=self.headers).get_data(as_text=True)

    def counts(self):
        """Rows of every kind (read from the store: listing thousands each time is slow)."""
        eng = self.emu.engine
        with eng.transaction() as db:
            return tuple(db.query(model).count() for model in (
                models.Call, models.Participant, models.Conference,
                models.IncomingPhoneNumber))

    # -- sending ------------------------------------------------------------------------------
    def send(self, method, path, pairs=None, raw=None):
        self.sent += 1
        if method == "GET":
            query = raw if raw is not None else urlencode(pairs or [])
            resp = self.web.get(f"{path}?{query}", headers=self.headers)
        else:
            body = raw if raw is not None else urlencode(pairs or [])
            resp = self.web.open(path, method=method, data=body, headers=self.headers,
                                 content_type="application/x-www-form-urlencoded")
        text = resp.get_data(as_text=True)
        # The one 5xx allowed: the honest 501 for Applications (ApplicationSid on Calls create).
        allowed = resp.status_code < 500 or (resp.status_code == 501
                                             and path.endswith("/Calls.json"))
        assert allowed, (method, path, pairs, raw, resp.status_code, text[:300])
        if resp.status_code >= 400:
            body = json.loads(text)
            assert set(body) == ERROR_KEYS and body["status"] == resp.status_code, text
        elif method == "POST" and text:
            # Accepted junk must still render a body Twilio's schema accepts.
            key = self.ops.match(method, path)
            errors = [e.message for e in self.ops.validator(key, resp.status_code)
                      .iter_errors(json.loads(text))]
            assert not errors, (path, pairs, raw, errors[:5])
        return resp.status_code

    def fuzz(self, method, path, key, name):
        base = self.base(key)
        cases = [[(name, v)] for v in JUNK]
        cases.append([(name, JUNK[3]), (name, JUNK[2])])            # repeated key
        cases += [None] * len(RAW_BODIES)
        before = None
        for i, case in enumerate(cases):
            if method == "POST":
                base = self.base(key)                                # fresh PhoneNumber
                # Only a 2xx may change state, so the snapshot is retaken only after one.
                before = before if before is not None else self.snapshot(path)
            if case is None:
                raw = RAW_BODIES[i - len(cases) + len(RAW_BODIES)].format(name=quote(name))
                extra = urlencode([(k, v) for k, v in base.items() if k != name])
                status = self.send(method, path, raw=f"{extra}&{raw}" if extra else raw)
            else:
                pairs = [(k, v) for k, v in base.items() if k != name] + case
                status = self.send(method, path, pairs)
            if method == "POST" and status >= 400:
                assert self.snapshot(path) == before, (path, name, case)
            elif method == "POST":
                before = None


def operations(spec):
    """(method, template, parameter names) for every create, update and list operation."""
    for template, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post"):
                continue
            names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            body = op.get("requestBody", {}).get("content", {}).get(
                "application/x-www-form-urlencoded", {}).get("schema", {})
            names += list(body.get("properties", {}))
            if names:
                yield method.upper(), template, names


def check_intact(emu, fz):
    """What was there before the junk is still there and still consistent."""
    c = emu.client
    conf = c.conferences(fz.conf).fetch()
    assert conf.status == "in-progress" and conf.friendly_name == "Main"
    assert {p.label for p in c.conferences(fz.conf).participants.list()} >= {"alpha", "beta"}
    assert c.calls(fz.call).fetch().sid == fz.call
    assert c.incoming_phone_numbers(fz.number).fetch().phone_number == "+15557000000"
    # Whatever the accepted junk scheduled runs without an internal error (strict actions).
    emu.advance(5)
    assert c.api.v2010.accounts(emu.account_sid).fetch().status == "active"


def test_junk_in_every_parameter_never_yields_a_5xx_and_refusals_change_nothing(openapi_spec):
    covered, sent = set(), 0
    for method, template, names in operations(openapi_spec):
        # A fresh emulator per operation: what one operation's junk created cannot slow or
        # mask the next.
        emu = Emulator(config=EmulatorConfig(strict_actions=True))
        try:
            fz = Fuzzer(emu, openapi_spec)
            fz.setup()
            path = fz.concrete(template).replace("Recordings/{X}.json",
                                                 "Recordings/RE" + "0" * 32 + ".json")
            assert "{" not in path, path
            key = (method, "/" + template.rsplit("/", 1)[-1]) if template.endswith(
                ("Participants.json", "Calls.json", "IncomingPhoneNumbers.json")) \
                else (method, path)
            for name in names:
                fz.fuzz(method, path, key, name)
                covered.add((method, template, name))
            sent += fz.sent
            check_intact(emu, fz)
        finally:
            emu.stop()
    assert len(covered) > 150 and sent > 3000


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["To", "From", "Label", "Timeout", "StatusCallbackEvent", "Muted",
                             "Beep", "MaxParticipants", "Region", "CallSidToCoach"]),
       value=st.text(max_size=300) | st.binary(max_size=64).map(lambda b: b.hex()),
       repeat=st.booleans())
def test_hypothesis_participant_create_never_5xx(emu, name, value, repeat):
    web = emu.app.test_client()
    pairs = [(k, v) for k, v in {"From": CALLER, "To": "+15552000000"}.items() if k != name]
    pairs += [(name, value)] * (2 if repeat else 1)
    resp = web.post(f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/Hypo/Participants.json",
                    data=urlencode(pairs), headers=auth(emu),
                    content_type="application/x-www-form-urlencoded")
    assert resp.status_code in (201, 400), resp.get_data(as_text=True)[:300]


# -- unknown and multi-value parameters ---------------------------------------------------------
def test_unknown_parameters_are_ignored(emu):
    web = emu.app.test_client()
    base = f"/2010-04-01/Accounts/{emu.account_sid}"
    resp = web.post(f"{base}/Conferences/Room/Participants.json", headers=auth(emu),
                    data={"From": CALLER, "To": "+15552000000", "NoSuchThing": "1",
                          "muted": "true", "ApiVersion": "2099-01-01"})
    assert resp.status_code == 201
    assert resp.get_json()["muted"] is False          # keys are case-sensitive PascalCase
    resp = web.post(f"{base}/Calls.json", headers=auth(emu),
                    data={"From": CALLER, "To": "+15552000001", "Twiml": "<Response/>",
                          "Bogus": "x"})
    assert resp.status_code == 201
    resp = web.get(f"{base}/Calls.json?Bogus=1&PageSize=5", headers=auth(emu))
    assert resp.status_code == 200 and len(resp.get_json()["calls"]) == 2


@pytest.mark.parametrize("form", ["repeated", "spaces"])
def test_multi_value_parameters_repeated_or_space_separated(emu, form):
    seen = []

    def hook(environ, start_response):
        from werkzeug.wrappers import Request

        seen.append(Request(environ).form.to_dict(flat=True))
        start_response("204 No Content", [])
        return [b""]

    emu.deliver_webhooks_to(hook)
    events = ["initiated", "ringing", "answered", "completed"]
    if form == "repeated":
        pairs = [("StatusCallbackEvent", e) for e in events]
    else:
        pairs = [("StatusCallbackEvent", " ".join(events))]
    pairs += [("From", CALLER), ("To", "+15552000000"),
              ("StatusCallback", "https://app.example.com/status")]
    web = emu.app.test_client()
    resp = web.post(f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/Multi/Participants.json",
                    data=urlencode(pairs), headers=auth(emu),
                    content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    call_sid = resp.get_json()["call_sid"]
    emu.advance(5)
    emu.client.calls(call_sid).update(status="completed")
    emu.advance(1)
    statuses = [p.get("CallStatus") for p in seen if p.get("CallSid") == call_sid]
    assert statuses == ["initiated", "ringing", "in-progress", "completed"]
