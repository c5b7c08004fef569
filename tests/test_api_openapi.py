"""Every route and method of Twilio's OpenAPI extract, driven through twilio-python with
realistic state, and every 2xx body validated against the operation's response schema.

The spec and the helper-library examples are trimmed copies vendored in tests/twilio_oai/
(scripts/vendor_openapi.py); a missing copy fails the fixtures, it never skips.
"""

import copy
import email.utils
import json
import re
from urllib.parse import urlsplit

import pytest
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from twilio.rest import Client

from twilio_conf_emulator.client import InProcessHttpClient

RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} \+0000$")
ERROR_KEYS = {"code", "message", "more_info", "status"}


def _rfc2822(value):
    """Twilio's dates: ``Fri, 18 Feb 2011 21:07:19 +0000``, and a real date (weekday agrees)."""
    if not isinstance(value, str) or not RFC2822.match(value):
        return False
    parsed = email.utils.parsedate_to_datetime(value)
    return parsed.strftime("%a") == value[:3]


def format_checker():
    checker = FormatChecker(formats=())
    checker.checkers = dict(oas30_format_checker.checkers)
    checker.checks("date-time-rfc-2822")(_rfc2822)
    return checker


def resolve(spec, schema, in_property=False):
    """Inline every local ``$ref`` of ``schema``.

    The one relaxation: a property that is a bare ``$ref`` to an enum (``status``,
    ``reason_conference_ended``, ``source``, ...) may be null. OAS 3.0 ignores ``nullable``
    beside a ``$ref``, so the spec cannot say it, yet Twilio's own examples return null there
    (``"reason_conference_ended": null`` while a conference is in progress).
    """
    if isinstance(schema, list):
        return [resolve(spec, s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = resolve(spec, copy.deepcopy(spec["components"]["schemas"][name]))
        if in_property and "enum" in target:
            target["nullable"] = True
            target["enum"] = list(target["enum"]) + [None]
        return target
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {k: resolve(spec, v, in_property=True) for k, v in value.items()}
        else:
            out[key] = resolve(spec, value)
    return out


class Operations:
    """The spec's operations, matched by method and concrete request path."""

    def __init__(self, spec):
        self.spec = spec
        self.ops = {}
        for template, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
                                 + "$")
            for method, op in item.items():
                if method in ("get", "post", "delete"):
                    self.ops[(method.upper(), template)] = (pattern, op)

    def match(self, method, path):
        found = [key for key, (pattern, _) in self.ops.items()
                 if key[0] == method and pattern.match(path)]
        # A literal segment beats a parameter (…/Accounts/{Sid}.json vs longer paths).
        assert len(found) == 1, (method, path, found)
        return found[0]

    def validator(self, key, status):
        op = self.ops[key][1]
        response = op["responses"].get(str(status))
        assert response is not None, f"{key} does not declare status {status}"
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return None
        return OAS30Validator(resolve(self.spec, schema), format_checker=format_checker())


class RecordingHttpClient(InProcessHttpClient):
    """The in-process transport, keeping every exchange for validation afterwards."""

    def __init__(self, app):
        super().__init__(app)
        self.exchanges = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        resp = super().request(method, url, params=params, data=data, headers=headers,
                               auth=auth, timeout=timeout, allow_redirects=allow_redirects)
        self.exchanges.append((method.upper(), urlsplit(url).path, resp.status_code, resp.text))
        return resp


def build_state_and_walk(emu):
    """Realistic state, reached through every operation of the extract. Returns the client."""
    http = RecordingHttpClient(emu.app)
    client = Client(emu.account_sid, emu.auth_token, http_client=http)
    client.edge = client.region = None
    acct = client.api.v2010.accounts(emu.account_sid)

    # Accounts: fetch, update.
    acct.fetch()
    acct.update(friendly_name="CI account")

    # Phones the emulator dials: answering, busy, never answering, failing, slow.
    emu.phone("+15550001001", answer_after=1)
    emu.phone("+15550001002", answer_after=1)
    emu.phone("+15550001003", answer_after=1)
    emu.phone("+15550001004", answer_after=1)
    emu.phone("+15550002001", outcome="busy")
    emu.phone("+15550002002", outcome="no-answer")
    emu.phone("+15550002003", outcome="failed")
    emu.phone("+15550002004", answer_after=30)
    caller = "+15550000000"

    # Conference "Live": in-progress with a connected, a muted, a held and a coaching participant.
    alice = client.conferences("Live").participants.create(
        from_=caller, to="+15550001001", label="alice agent", end_conference_on_exit=False,
        conference_record="record-from-start")
    live = alice.conference_sid
    client.conferences(live).participants.create(
        from_=caller, to="+15550001002", label="bob", muted=True,
        status_callback_event=["initiated", "answered"])
    emu.advance(5)
    carol = client.conferences(live).participants.create(
        from_=caller, to="+15550001003", coaching=True, call_sid_to_coach=alice.call_sid)
    ringing = client.conferences(live).participants.create(from_=caller, to="+15550002004")
    emu.advance(4)
    client.conferences(live).participants("bob").update(hold=True)
    client.conferences(live).participants(alice.call_sid).update(muted=False,
                                                                 beep_on_exit=False)
    client.conferences(live).participants(carol.call_sid).fetch()
    client.conferences(live).participants(ringing.call_sid).fetch()     # still ringing
    client.conferences(live).participants("alice agent").fetch()         # by label
    client.conferences(live).participants.list(page_size=2)
    client.conferences(live).participants.list(muted=True)
    client.conferences(live).participants.list(hold=True)
    client.conferences(live).participants.list(coaching=True)

    # Conference "Waiting": init, one connected participant.
    lone = client.conferences("Waiting").participants.create(from_=caller, to="+15550001004")
    emu.advance(5)

    # Conference "Done": completed via the API.
    done_part = client.conferences("Done").participants.create(from_=caller, to="+15550001001")
    emu.advance(5)
    client.conferences(done_part.conference_sid).update(status="completed")

    # Conference "Kicked": its last participant kicked (delete by label, then by SID elsewhere).
    kicked = client.conferences("Kicked").participants.create(
        from_=caller, to="+15550001002", label="only one")
    emu.advance(5)
    assert client.conferences(kicked.conference_sid).participants("only one").delete() is True
    assert client.conferences(live).participants(ringing.call_sid).delete() is True

    # Conferences: list (paged and filtered), fetch each state, update.
    for conf in client.conferences.list(page_size=2):
        client.conferences(conf.sid).fetch()
    client.conferences.list(status="init")
    client.conferences.list(friendly_name="Live", status="in-progress")
    client.conferences(live).fetch()
    client.conferences(lone.conference_sid).fetch()
    client.conferences(live).update(announce_url="https://example.com/announce.xml")

    # Calls in many states: queued, ringing, in-progress, completed, busy, no-answer, failed,
    # canceled.
    twiml = "<Response><Pause length=\"600\"/></Response>"
    client.calls.create(to="+15550001001", from_=caller, twiml=twiml)
    for to in ("+15550001002", "+15550002001", "+15550002002", "+15550002003"):
        client.calls.create(to=to, from_=caller, url="https://example.com/voice.xml")
    slow = client.calls.create(to="+15550002004", from_=caller, twiml=twiml)
    emu.advance(3)                                                                   # ringing
    client.calls(slow.sid).fetch()
    answered = client.calls.create(to="+15550001003", from_=caller, twiml=twiml, record=True)
    emu.advance(3)
    client.calls(answered.sid).fetch()                                               # in-progress
    # Call recordings: the Record=true one, and one started, paused, resumed, stopped via REST.
    call_recs = client.calls(answered.sid).recordings
    call_recs.list()
    started = call_recs.create(recording_track="inbound", trim="do-not-trim")
    call_recs("Twilio.CURRENT").update(status="paused", pause_behavior="skip")
    call_recs(started.sid).update(status="in-progress")
    call_recs(started.sid).update(status="stopped")
    emu.advance(0)
    call_recs(started.sid).fetch()
    assert call_recs(started.sid).delete() is True
    client.calls(slow.sid).update(status="canceled")
    emu.advance(70)
    client.calls(answered.sid).update(status="completed")
    client.calls.create(to="+15550001004", from_=caller, twiml=twiml)              # queued
    for call in client.calls.list(page_size=3):
        client.calls(call.sid).fetch()
    client.calls.list(status="completed")
    client.calls.list(to="+15550001003")
    assert client.calls(answered.sid).delete() is True

    # IncomingPhoneNumbers: create, list, fetch, update, delete.
    num = client.incoming_phone_numbers.create(phone_number="+15557770001",
                                               voice_url="https://example.com/voice")
    client.incoming_phone_numbers.create(phone_number="+15557770002", friendly_name="Desk")
    client.incoming_phone_numbers.list()
    client.incoming_phone_numbers.list(phone_number="+15557770001")
    client.incoming_phone_numbers(num.sid).fetch()
    client.incoming_phone_numbers(num.sid).update(voice_method="GET",
                                                  status_callback="https://example.com/s")
    assert client.incoming_phone_numbers(num.sid).delete() is True

    # Recordings (conference and account level): every route on real recordings, then
    # unknown SIDs (404s).
    rec = client.conferences(live).recordings.list()[0]
    client.conferences(live).recordings(rec.sid).fetch()
    client.conferences(live).recordings("Twilio.CURRENT").update(status="paused",
                                                                 pause_behavior="skip")
    client.conferences(live).recordings(rec.sid).update(status="in-progress")
    client.conferences(live).recordings(rec.sid).update(status="stopped")
    emu.advance(0)                                                       # completed
    client.conferences(live).recordings.list()
    client.recordings.list(conference_sid=live)
    client.recordings(rec.sid).fetch()
    call_rec = client.recordings.list(call_sid=answered.sid)[0]         # Record=true leg
    assert client.conferences(live).recordings(rec.sid).delete() is True
    assert client.recordings(call_rec.sid).delete() is True
    recording_calls = [
        lambda: client.conferences(live).recordings.list(),
        lambda: client.conferences(live).recordings("RE" + "0" * 32).fetch(),
        lambda: client.conferences(live).recordings("RE" + "0" * 32).update(status="paused"),
        lambda: client.conferences(live).recordings("RE" + "0" * 32).delete(),
        lambda: client.recordings.list(),
        lambda: client.recordings("RE" + "0" * 32).fetch(),
        lambda: client.recordings("RE" + "0" * 32).delete(),
        lambda: client.calls(answered.sid).recordings("RE" + "0" * 32).fetch(),
    ]
    for call in recording_calls:
        try:
            call()
        except Exception:  # noqa: BLE001 - a 404; the exchange is checked below
            pass
    return http, live


@pytest.fixture
def walked(emu, openapi_spec):
    http, live = build_state_and_walk(emu)
    return Operations(openapi_spec), http.exchanges, live


def test_every_route_and_method_is_exercised(walked):
    ops, exchanges, _ = walked
    seen = {ops.match(method, path) for method, path, _, _ in exchanges}
    assert seen == set(ops.ops), sorted(set(ops.ops) - seen)


def test_every_2xx_body_validates_against_the_operation_schema(walked):
    ops, exchanges, _ = walked
    checked = 0
    for method, path, status, text in exchanges:
        key = ops.match(method, path)
        if not 200 <= status < 300:
            continue
        validator = ops.validator(key, status)
        if validator is None:
            assert status == 204 and text == "", (key, status, text)
            continue
        body = json.loads(text)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(body)]
        assert not errors, (method, path, errors[:10])
        checked += 1
    assert checked >= 40


def test_only_unknown_recordings_answer_something_else_and_it_is_a_twilio_shaped_404(walked):
    ops, exchanges, _ = walked
    recording_bodies = 0
    for method, path, status, text in exchanges:
        key = ops.match(method, path)
        is_recording = "/Recordings" in key[1]
        if 200 <= status < 300:
            recording_bodies += is_recording and status == 200
            continue
        assert is_recording and "RE" + "0" * 32 in path, (method, path, status, text)
        body = json.loads(text)
        assert set(body) == ERROR_KEYS
        assert status == body["status"] == 404
        assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"
        assert body["code"] == 20404 and "was not found" in body["message"]
    # Real recording bodies (validated against the spec's recording schemas above).
    assert recording_bodies >= 8


def test_states_reached_are_the_realistic_ones(walked):
    """The walk above covers what it claims: conference, participant and call states."""
    ops, exchanges, _ = walked
    conf_states, part_flags, call_states = set(), set(), set()
    for method, path, status, text in exchanges:
        if status != 200 or method != "GET":
            continue
        body = json.loads(text)
        for c in body.get("conferences", [body] if "/Conferences/CF" in path
                          and path.count("/") == 5 else []):
            conf_states.add(c["status"])
        for p in body.get("participants", [body] if "/Participants/" in path else []):
            part_flags.update(k for k in ("muted", "hold", "coaching") if p[k])
            part_flags.add(p["status"])
        for c in body.get("calls", []):
            call_states.add(c["status"])
    assert conf_states >= {"init", "in-progress", "completed"}
    assert part_flags >= {"connected", "ringing", "muted", "hold", "coaching"}
    assert call_states >= {"queued", "in-progress", "completed", "busy", "no-answer", "failed",
                           "canceled"}


# -- the helper-library examples: every key they show, we show --------------------------------
ENVELOPE_ITEMS = {"conferences": "conference", "participants": "participant",
                  "recordings": "conference_recording", "calls": "call"}


def example_keys(examples):
    """resource -> (instance keys, subresource_uris keys, envelope keys) over all examples."""
    out = {}
    for name, ex in examples.items():
        body = ex.get("body") if isinstance(ex, dict) else None
        if not isinstance(body, dict):
            continue
        resource = name.split(".", 1)[0]
        inst, subs, env = out.setdefault(resource, (set(), set(), set()))
        items_key = next((k for k in ENVELOPE_ITEMS if k in body), None)
        records = body[items_key] if items_key else [body]
        if items_key:
            env.update(body)
        for record in records:
            inst.update(record)
            subs.update(record.get("subresource_uris") or {})
    return out


def _classify(path):
    if re.search(r"/Conferences/[^/]+/Participants", path):
        return "participant"
    if re.search(r"/Conferences/[^/]+/Recordings", path):
        return "conference_recording"
    if "/Conferences" in path:
        return "conference"
    if re.search(r"/Calls/[^/]+/Recordings", path):
        return None  # the helper library's examples show no call recording
    if "/Calls" in path:
        return "call"
    return None


def test_bodies_carry_every_key_of_twilio_python_examples(walked, twilio_examples):
    _, exchanges, _ = walked
    expected = example_keys(twilio_examples)
    seen = set()
    for _method, path, status, text in exchanges:
        resource = _classify(path)
        if resource is None or not text or not 200 <= status < 300:
            continue
        inst_keys, sub_keys, env_keys = expected[resource]
        body = json.loads(text)
        items_key = next((k for k in ENVELOPE_ITEMS if k in body), None)
        records = body[items_key] if items_key else [body]
        if items_key:
            assert env_keys <= set(body), (path, env_keys - set(body))
            seen.add(resource + " list")
        for record in records:
            assert inst_keys <= set(record), (path, inst_keys - set(record))
            if "subresource_uris" in record:
                assert sub_keys <= set(record["subresource_uris"]), (
                    path, sub_keys - set(record["subresource_uris"]))
            seen.add(resource)
    assert seen >= {"conference", "conference list", "participant", "participant list", "call",
                    "call list"}


def test_every_rest_route_served_is_one_of_twilios_2010_paths(emu, served_spec):
    """Each /2010-04-01 rule and method of the app is a path and method of Twilio's spec (and
    the vendored extract is up to date: a new route needs scripts/vendor_openapi.py again)."""
    templates = [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)) + "$"), t, item)
                 for t, item in served_spec["paths"].items()]
    served, missing = 0, []
    for rule in emu.app.url_map.iter_rules():
        if not rule.rule.startswith("/2010-04-01/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "json" if m.group(1) == "ext"
                      else "XX" + "0" * 32, rule.rule)
        if not path.endswith(".json"):
            path += ".json"  # Twilio answers a resource with no extension too (media)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            served += 1
            if not any(p.match(path) and method.lower() in item for p, _, item in templates):
                missing.append((method, rule.rule))
    assert served >= 25  # the walk saw the API
    assert missing == []
