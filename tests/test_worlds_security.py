"""The security model: on a server that listens beyond loopback, control routes need the
account's REST credentials (401/20003 without), each acts on that account's world only,
creating accounts needs the admin token, and an existing account is never replaced."""

import base64

import pytest
from engine_harness import serve_process, server_stderr

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.cli import is_loopback
from twilio_conf_emulator.config import EmulatorConfig

CALLER = "+15550100000"


def basic(sid, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{sid}:{secret}".encode()).decode()}


@pytest.fixture
def exposed():
    """An emulator configured as if bound to 0.0.0.0, with an admin token."""
    emu = Emulator(config=EmulatorConfig(loopback_only=False, strict_actions=True),
                   admin_token="s3cret-admin")
    yield emu
    emu.stop()


def assert_401(resp):
    assert resp.status_code == 401
    assert resp.json["code"] == 20003 and resp.json["status"] == 401


def test_control_routes_without_credentials_get_401_beyond_loopback(exposed):
    http = exposed.app.test_client()
    for method, path, body in (("POST", "/_emulator/reset", None),
                               ("GET", "/_emulator/clock", None),
                               ("POST", "/_emulator/clock/advance", {"seconds": 1}),
                               ("GET", "/_emulator/webhooks", None),
                               ("GET", "/_emulator/alerts", None),
                               ("GET", "/_emulator/config", None),
                               ("POST", "/_emulator/phones", {"number": "+15550000001"}),
                               ("POST", "/_emulator/calls", {"from": CALLER, "to": "+1555"}),
                               ("POST", "/_emulator/keys", {})):
        assert_401(http.open(path, method=method, json=body))
        assert_401(http.open(path, method=method, json=body,
                             headers=basic(exposed.account_sid, "wrong")))
    assert http.get("/_emulator/health").status_code == 200  # liveness stays open
    ok = http.get("/_emulator/clock", headers=basic(exposed.account_sid, exposed.auth_token))
    assert ok.status_code == 200


def test_on_loopback_no_credentials_means_the_default_world():
    emu = Emulator()
    http = emu.app.test_client()
    emu.advance(7)
    assert http.get("/_emulator/clock").json["epoch"] == emu.now()
    other, token = emu.create_account()
    # With credentials, even on loopback, the route acts on their world.
    assert http.get("/_emulator/clock", headers=basic(other, token)).json["epoch"] \
        == emu.now() - 7


def test_creating_accounts_beyond_loopback_needs_the_admin_token(exposed):
    http = exposed.app.test_client()
    assert_401(http.post("/_emulator/accounts", json={}))
    assert_401(http.post("/_emulator/accounts", json={},
                         headers={"Authorization": "Bearer wrong"}))
    assert_401(http.post("/_emulator/accounts", json={},
                         headers=basic(exposed.account_sid, exposed.auth_token)))
    made = http.post("/_emulator/accounts", json={},
                     headers={"Authorization": "Bearer s3cret-admin"})
    assert made.status_code == 201 and made.json["sid"].startswith("AC")

    closed = Emulator(config=EmulatorConfig(loopback_only=False))  # no admin token at all
    assert_401(closed.app.test_client().post("/_emulator/accounts", json={},
                                             headers={"Authorization": "Bearer "}))
    closed.stop()


def test_an_existing_account_is_never_replaced():
    emu = Emulator()
    http = emu.app.test_client()
    for sid in (emu.account_sid, emu.create_account(auth_token="first")[0]):
        resp = http.post("/_emulator/accounts", json={"sid": sid, "auth_token": "hijacked"})
        assert resp.status_code == 400 and resp.json["code"] == 20001
        assert "already exists" in resp.json["message"]
        assert_401(http.get("/_emulator/clock", headers=basic(sid, "hijacked")))
    assert emu.client.api.v2010.accounts(emu.account_sid).fetch().status == "active"
    bad = http.post("/_emulator/accounts", json={"sid": "ACnot-a-sid"})
    assert bad.status_code == 400


def test_an_account_cannot_read_or_change_another_world(exposed):
    http = exposed.app.test_client()
    b_sid, b_token = exposed.create_account()
    b = exposed.world(b_sid)
    a_auth = basic(exposed.account_sid, exposed.auth_token)
    b_auth = basic(b_sid, b_token)
    # B's world has a live call, a conference and a journal entry.
    p = b.client.conferences("Theirs").participants.create(
        from_=CALLER, to="+15550000001", conference_status_callback="http://127.0.0.1:9/x",
        conference_status_callback_event=["join"])
    b.advance(5)
    entry = b.webhooks.all()[0]["id"]
    # A, with its own valid credentials, sees and touches none of it.
    for method, path, body in (
            ("POST", f"/_emulator/calls/{p.call_sid}/hangup", None),
            ("POST", f"/_emulator/calls/{p.call_sid}/digits", {"digits": "1"}),
            ("GET", f"/_emulator/calls/{p.call_sid}/audio.wav", None),
            ("GET", f"/_emulator/conferences/{p.conference_sid}/timeline.json", None),
            ("POST", "/_emulator/webhooks/replay", {"ids": [entry]})):
        resp = http.open(path, method=method, json=body, headers=a_auth)
        assert resp.status_code == 404, path
    assert http.get("/_emulator/webhooks", headers=a_auth).json["webhooks"] == []
    assert http.get(f"/_emulator/webhooks?account_sid={b_sid}",
                    headers=a_auth).json["webhooks"] == []
    assert http.get("/_emulator/alerts", headers=a_auth).json["alerts"] == []
    for path, body in (("/_emulator/keys", {"account_sid": b_sid}),
                       ("/_emulator/phones", {"number": "+1555", "account_sid": b_sid})):
        assert_401(http.post(path, json=body, headers=a_auth))
    # A's reset, clock and config are A's.
    http.post("/_emulator/config", json={"ring_delay": 9.0}, headers=a_auth)
    http.post("/_emulator/clock/advance", json={"seconds": 100}, headers=a_auth)
    http.post("/_emulator/reset", headers=a_auth)
    assert b.config.ring_delay == 1.0 and exposed.config.ring_delay == 9.0
    assert b.client.calls(p.call_sid).fetch().status == "in-progress"
    assert len(http.get("/_emulator/webhooks", headers=b_auth).json["webhooks"]) == 1
    # B's own credentials (or one of its API keys) do reach it.
    key = http.post("/_emulator/keys", json={}, headers=b_auth).json
    hung = http.post(f"/_emulator/calls/{p.call_sid}/hangup",
                     headers=basic(key["sid"], key["secret"]))
    assert hung.status_code == 200


def test_server_settings_cannot_be_changed_by_a_world(exposed):
    http = exposed.app.test_client()
    resp = http.post("/_emulator/config", json={"loopback_only": True},
                     headers=basic(exposed.account_sid, exposed.auth_token))
    assert resp.status_code == 400 and resp.json["code"] == 20001
    assert_401(http.get("/_emulator/clock"))


def test_which_binds_count_as_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("::")


def test_serve_on_all_interfaces_says_so_and_refuses_anonymous_control():
    import requests

    proc, url = serve_process(["--host", "0.0.0.0", "--admin-token", "adm"])
    try:
        port = url.rsplit(":", 1)[1]
        local = f"http://127.0.0.1:{port}"
        s = requests.Session()
        s.trust_env = False
        resp = s.post(local + "/_emulator/reset", timeout=10)
        assert resp.status_code == 401 and resp.json()["code"] == 20003
        made = s.post(local + "/_emulator/accounts", json={}, timeout=10,
                      headers={"Authorization": "Bearer adm"})
        assert made.status_code == 201
        sid, token = made.json()["sid"], made.json()["auth_token"]
        assert s.get(local + "/_emulator/clock", auth=(sid, token), timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    err = server_stderr(proc).decode()
    assert "listening beyond loopback" in err and "credentials" in err


def test_an_account_is_closed_with_its_own_credentials_only():
    emu = Emulator()
    http = emu.app.test_client()
    sid, token = emu.create_account()
    other, other_token = emu.create_account()
    emu.world(sid).client.incoming_phone_numbers.create(phone_number="+15557000001")
    assert_401(http.delete(f"/_emulator/accounts/{sid}"))  # no credentials: default world
    assert_401(http.delete(f"/_emulator/accounts/{sid}", headers=basic(other, other_token)))
    assert http.delete(f"/_emulator/accounts/{sid}", headers=basic(sid, token)).status_code == 204
    assert_401(http.get("/_emulator/clock", headers=basic(sid, token)))  # gone, with its world
    assert sid not in emu.worlds
    assert http.get("/_emulator/clock", headers=basic(other, other_token)).status_code == 200
    default = http.delete(f"/_emulator/accounts/{emu.account_sid}")
    assert default.status_code == 400
    # The number it held is free in a new world made with the same SID.
    again, again_token = emu.create_account(sid=sid)
    assert emu.world(again).client.incoming_phone_numbers.list() == []


def test_serve_on_all_interfaces_reads_file_audio_only_from_allowed_directories(tmp_path):
    """Done-when 6 on a real non-loopback bind: a ``file:`` ``<Play>`` outside --allow-files
    is refused with an 11200 alert (the call goes on), one inside is read and played."""
    import requests
    from audio_helpers import tone
    from twilio.rest import Client

    from twilio_conf_emulator.media.audio import encode_wav

    (tmp_path / "allowed").mkdir()
    (tmp_path / "private").mkdir()
    inside, outside = tmp_path / "allowed" / "hello.wav", tmp_path / "private" / "secret.wav"
    for path in (inside, outside):
        path.write_bytes(encode_wav(tone(440, 3)))  # 3 s each
    sid, token = "AC" + "7" * 32, "exposed-token"
    proc, url = serve_process(["--host", "0.0.0.0", "--admin-token", "adm",
                               "--allow-files", str(tmp_path / "allowed"),
                               "--account-sid", sid, "--auth-token", token])
    try:
        local = f"http://127.0.0.1:{url.rsplit(':', 1)[1]}"
        s = requests.Session()
        s.trust_env = False
        client = Client(sid, token)
        client.api.base_url = local
        client.edge = client.region = None
        client.http_client.session.trust_env = False
        calls = {}
        for name, path in (("inside", inside), ("outside", outside)):
            calls[name] = client.calls.create(
                to="+15550001111", from_="+15550002222",
                twiml=f"<Response><Play>{path.as_uri()}</Play><Hangup/></Response>").sid
        resp = s.post(local + "/_emulator/clock/advance", json={"seconds": 10},
                      auth=(sid, token), timeout=30)
        assert resp.status_code == 200, resp.text
        alerts = s.get(local + "/_emulator/alerts", auth=(sid, token), timeout=10).json()
        alerts = alerts.get("alerts", alerts) if isinstance(alerts, dict) else alerts
        refused = [a for a in alerts if a["code"] == 11200]
        assert [a["call_sid"] for a in refused] == [calls["outside"]]
        assert "allow-files" in refused[0]["message"]
        # Read and played: the call lasts the file's 3 s; the refused <Play> is skipped.
        assert client.calls(calls["inside"]).fetch().duration == "3"
        assert client.calls(calls["outside"]).fetch().duration == "0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
