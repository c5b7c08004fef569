"""Errors as twilio-python sees them: auth, isolation between accounts, unknown resources,
parameter codes, and Twilio's error body shape."""

import base64
import json

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from twilio_conf_emulator.client import InProcessHttpClient

CALLER = "+15550000000"
ERROR_KEYS = {"code", "message", "more_info", "status"}


def client_for(emu, user, password, account_sid=None):
    c = Client(user, password, account_sid, http_client=InProcessHttpClient(emu.app))
    c.edge = c.region = None
    return c


def last_body(client):
    return json.loads(client.http_client.last_response.text)


def assert_twilio_error(client, code, status):
    body = last_body(client)
    assert set(body) == ERROR_KEYS, body
    assert (body["code"], body["status"]) == (code, status)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert isinstance(body["message"], str) and body["message"]
    return body


def raises(code, status, fn):
    with pytest.raises(TwilioRestException) as err:
        fn()
    assert (err.value.code, err.value.status) == (code, status), err.value
    return err.value


@pytest.fixture
def live_conference(emu, client):
    p = client.conferences("Mine").participants.create(from_=CALLER, to="+15551000001",
                                                       label="me")
    emu.advance(5)
    return p.conference_sid


# -- authentication ---------------------------------------------------------------------------
def test_wrong_token_is_20003_401(emu, live_conference):
    bad = client_for(emu, emu.account_sid, "not-the-token")
    raises(20003, 401, lambda: bad.conferences(live_conference).fetch())
    assert_twilio_error(bad, 20003, 401)
    raises(20003, 401, lambda: bad.conferences("X").participants.create(from_=CALLER,
                                                                         to="+15551000002"))
    raises(20003, 401, lambda: bad.calls.create(to="+15551000002", from_=CALLER,
                                                twiml="<Response/>"))
    # list() raises plain TwilioException on a non-200 (twilio-python's own rule).
    with pytest.raises(TwilioException):
        bad.conferences.list()
    # Nothing was created by the refused requests.
    assert emu.client.calls.list() and len(emu.client.calls.list()) == 1


def test_missing_or_malformed_authorization_is_20003(emu, live_conference):
    path = f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/{live_conference}.json"
    web = emu.app.test_client()
    for headers in ({}, {"Authorization": "Bearer abc"}, {"Authorization": "Basic !!!"},
                    {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}):
        resp = web.get(path, headers=headers)
        body = resp.get_json()
        assert resp.status_code == 401 and set(body) == ERROR_KEYS
        assert body["code"] == 20003
        assert live_conference not in resp.get_data(as_text=True)


def test_api_key_authenticates_for_its_account(emu, live_conference):
    sk, secret = emu.create_api_key()
    keyed = client_for(emu, sk, secret, emu.account_sid)
    conf = keyed.conferences(live_conference).fetch()
    assert conf.sid == live_conference and conf.account_sid == emu.account_sid
    assert keyed.conferences(live_conference).participants("me").update(muted=True).muted
    raises(20003, 401, lambda: client_for(emu, sk, "wrong", emu.account_sid)
           .conferences(live_conference).fetch())
    # A key of another account opens nothing here.
    other_sid, _ = emu.create_account()
    other_sk, other_secret = emu.create_api_key(other_sid)
    raises(20003, 401, lambda: client_for(emu, other_sk, other_secret, emu.account_sid)
           .conferences(live_conference).fetch())
    assert client_for(emu, other_sk, other_secret, other_sid).conferences.list() == []


# -- isolation between accounts ----------------------------------------------------------------
def test_another_accounts_conference_is_not_found_and_never_leaks(emu, client):
    other_sid, other_token = emu.create_account()
    other = client_for(emu, other_sid, other_token)
    theirs = other.conferences("Secret Room").participants.create(
        from_=CALLER, to="+15551000009", label="spy")
    emu.world(other_sid).advance(5)  # their world's clock: mine does not move theirs
    cf = theirs.conference_sid

    err = raises(20404, 404, lambda: client.conferences(cf).fetch())
    body = assert_twilio_error(client, 20404, 404)
    text = client.http_client.last_response.text
    assert "Secret Room" not in text and other_sid not in text
    assert body["message"] == (f"The requested resource /2010-04-01/Accounts/"
                               f"{emu.account_sid}/Conferences/{cf}.json was not found")
    assert "Secret Room" not in str(err)
    raises(20404, 404, lambda: client.conferences(cf).update(status="completed"))
    raises(20404, 404, lambda: client.conferences(cf).participants("spy").fetch())
    raises(20404, 404, lambda: client.conferences(cf).participants(theirs.call_sid).delete())
    raises(20404, 404, lambda: client.calls(theirs.call_sid).fetch())
    raises(20404, 404, lambda: client.calls(theirs.call_sid).update(status="completed"))
    with pytest.raises(TwilioException):
        client.conferences(cf).participants.list()
    assert client.conferences.list() == [] and client.calls.list() == []
    # Creating "into" their SID from my account does not reach their conference either.
    raises(20404, 404, lambda: client.conferences(cf).participants.create(
        from_=CALLER, to="+15551000010"))
    # Their path with my credentials: denied as authentication, not as not-found.
    mine_on_theirs = client.api.v2010.accounts(other_sid)
    raises(20003, 401, lambda: mine_on_theirs.conferences(cf).fetch())
    raises(20003, 401, lambda: mine_on_theirs.conferences(cf).update(status="completed"))
    raises(20003, 401, lambda: mine_on_theirs.fetch())
    # Their state is intact.
    still = other.conferences(cf).fetch()
    assert still.status == "init" and still.friendly_name == "Secret Room"
    assert [p.label for p in other.conferences(cf).participants.list()] == ["spy"]
    assert other.calls(theirs.call_sid).fetch().status == "in-progress"


def test_a_same_named_conference_in_two_accounts_is_two_conferences(emu, client):
    other_sid, other_token = emu.create_account()
    other = client_for(emu, other_sid, other_token)
    a = client.conferences("Standup").participants.create(from_=CALLER, to="+15551000001")
    b = other.conferences("Standup").participants.create(from_=CALLER, to="+15551000002")
    assert a.conference_sid != b.conference_sid
    assert [c.sid for c in client.conferences.list()] == [a.conference_sid]
    assert [c.sid for c in other.conferences.list()] == [b.conference_sid]


# -- unknown resources -------------------------------------------------------------------------
@pytest.mark.parametrize("resource", ["Conferences/CF" + "0" * 32, "Calls/CA" + "0" * 32,
                                      "IncomingPhoneNumbers/PN" + "0" * 32])
def test_unknown_sid_is_20404_with_twilios_message(emu, client, resource):
    kind, sid = resource.split("/")
    ctx = {"Conferences": client.conferences, "Calls": client.calls,
           "IncomingPhoneNumbers": client.incoming_phone_numbers}[kind](sid)
    err = raises(20404, 404, ctx.fetch)
    message = (f"The requested resource /2010-04-01/Accounts/{emu.account_sid}/{resource}.json"
               " was not found")
    assert assert_twilio_error(client, 20404, 404)["message"] == message
    assert err.msg == f"Unable to fetch record: {message}"
    raises(20404, 404, ctx.delete if kind != "Conferences" else ctx.fetch)


def test_unknown_participant_and_unknown_paths(emu, client, live_conference):
    raises(20404, 404, lambda: client.conferences(live_conference)
           .participants("CA" + "1" * 32).fetch())
    raises(20404, 404, lambda: client.conferences(live_conference)
           .participants("nobody").update(muted=True))
    web = emu.app.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(
        f"{emu.account_sid}:{emu.auth_token}".encode()).decode()}
    base = f"/2010-04-01/Accounts/{emu.account_sid}"
    # Only .json paths exist.
    for path in (f"{base}/Conferences/{live_conference}", f"{base}/Conferences.xml",
                 f"{base}/Conferences/{live_conference}.csv", f"{base}/Nope.json",
                 "/2010-04-01/Nothing"):
        resp = web.get(path, headers=auth)
        assert resp.status_code == 404, path
        assert set(resp.get_json()) == ERROR_KEYS and resp.get_json()["code"] == 20404
    resp = web.delete(f"{base}/Conferences/{live_conference}.json", headers=auth)
    assert resp.status_code == 405 and set(resp.get_json()) == ERROR_KEYS


# -- parameter codes ---------------------------------------------------------------------------
def test_participant_create_parameter_codes(emu, client, live_conference):
    parts = client.conferences(live_conference).participants
    raises(21201, 400, lambda: parts.create(from_=CALLER, to=None))
    assert "To" in assert_twilio_error(client, 21201, 400)["message"]
    raises(21213, 400, lambda: parts.create(from_=None, to="+15551000002"))
    raises(21211, 400, lambda: parts.create(from_=CALLER, to="not a number"))
    raises(21205, 400, lambda: parts.create(from_=CALLER, to="+15551000002",
                                            status_callback="not a url"))
    raises(21205, 400, lambda: parts.create(from_=CALLER, to="+15551000002",
                                            wait_url="ftp://example.com/x"))
    assert [p.label for p in parts.list()] == ["me"]


def test_call_create_parameter_codes(emu, client):
    raises(21201, 400, lambda: client.calls.create(to=None, from_=CALLER, twiml="<Response/>"))
    raises(21213, 400, lambda: client.calls.create(to="+15551000001", from_=None,
                                                   twiml="<Response/>"))
    raises(21211, 400, lambda: client.calls.create(to="abc", from_=CALLER, twiml="<Response/>"))
    raises(21205, 400, lambda: client.calls.create(to="+15551000001", from_=CALLER,
                                                   url="not a url"))
    raises(21205, 400, lambda: client.calls.create(to="+15551000001", from_=CALLER))
    body = assert_twilio_error(client, 21205, 400)
    assert "Url" in body["message"]
    raises(21205, 400, lambda: client.calls.create(to="+15551000001", from_=CALLER,
                                                   twiml="<Response/>",
                                                   status_callback="https://bad_host.example/x"))
    assert client.calls.list() == []


def test_invalid_call_state_is_21220(emu, client):
    call = client.calls.create(to="+15551000001", from_=CALLER,
                               twiml="<Response><Pause length=\"60\"/></Response>")
    emu.advance(3)
    assert client.calls(call.sid).update(status="completed").status == "completed"
    raises(21220, 400, lambda: client.calls(call.sid).update(url="https://example.com/next"))
    assert_twilio_error(client, 21220, 400)
    raises(21220, 400, lambda: client.calls(call.sid).update(twiml="<Response/>"))
    raises(21220, 400, lambda: client.calls(call.sid).update(status="completed"))
    active = client.calls.create(to="+15551000002", from_=CALLER, twiml="<Response/>")
    raises(21220, 400, lambda: client.calls(active.sid).delete())
    assert client.calls(active.sid).fetch().status == "queued"
    assert client.calls(call.sid).delete() is True
    raises(20404, 404, lambda: client.calls(call.sid).fetch())
