"""A participant's create, fetch and update and the list are served without Flask (api/hot.py): every response
must be byte for byte what the Flask views answer (status, headers, body), with the same
state, journal and warning alerts after, for good and bad requests alike; and requests of
any other shape still reach Flask."""

import base64

import pytest
from werkzeug.test import Client

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.api import hot
from twilio_conf_emulator.app import shared_app
from twilio_conf_emulator.store.models import Participant
from twilio_conf_emulator.wsgi import ENVIRON_KEY

CALLER = "+15550000000"
FORM = "application/x-www-form-urlencoded"


def flask_only(emu):
    """The emulator's requests, all through the Flask views."""
    def app(environ, start_response):
        environ[ENVIRON_KEY] = emu
        return shared_app()(environ, start_response)
    return app


def auth(emu, token=None):
    raw = f"{emu.account_sid}:{token or emu.auth_token}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


@pytest.fixture
def pair():
    """Two emulators in the same state: one served as users are, one through Flask only."""
    emus = [Emulator(clock="manual"), Emulator(clock="manual")]
    for emu in emus:
        c = emu.client
        a = c.conferences("Hot").participants.create(from_=CALLER, to="+15551000001",
                                                     label="agent")
        c.conferences("Hot").participants.create(from_=CALLER, to="+15551000002")
        emu.advance(5)
    yield emus, a.conference_sid, a.call_sid
    for emu in emus:
        emu.stop()


def answer(resp):
    return resp.status, sorted(resp.headers.items()), resp.get_data()


def test_fetch_and_update_answer_as_the_flask_views_do(pair, monkeypatch):
    (hot_emu, flask_emu), cf, ca = pair
    served = []
    real = hot._serve
    monkeypatch.setattr(hot, "_serve", lambda *a: served.append(a[2]) or real(*a))
    root = f"/2010-04-01/Accounts/{hot_emu.account_sid}"
    me = f"{root}/Conferences/{cf}/Participants/{ca}.json"
    other = "AC" + "b" * 32
    listing = f"{root}/Conferences/{cf}/Participants.json"
    requests = [  # (method, path, body, credentials, the status Twilio gives)
        ("GET", me, None, auth, 200),
        ("GET", f"{root}/Conferences/{cf}/Participants/agent.json", None, auth, 200),  # label
        ("GET", f"{root}/Conferences/{cf}/Participants/CA{'0' * 32}.json", None, auth, 404),
        ("GET", f"{root}/Conferences/CF{'0' * 32}/Participants/{ca}.json", None, auth, 404),
        ("GET", me, None, lambda e: auth(e, "wrong"), 401),
        ("GET", me, None, lambda e: {}, 401),  # no credentials
        ("GET", me.replace(hot_emu.account_sid, other), None, auth, 401),  # another account
        ("POST", me, b"Hold=true&HoldUrl=", auth, 200),
        ("POST", me, b"Muted=true&Foo=bar", auth, 200),  # an unknown parameter: a warning
        ("POST", me, b"Muted=false&Hold=false", auth, 200),
        ("POST", me, b"HoldMethod=PUT", auth, 400),
        ("POST", me, b"Coaching=true", auth, 400),  # 16028, rolled back
        ("GET", me, None, auth, 200),  # the rows the rollback expired, read again
        ("POST", me, b"Muted=%FF", auth, 400),  # not UTF-8: 400 naming the field
        ("POST", me, b"", auth, 200),
        ("POST", f"{root}/Conferences/{cf}/Participants/agent.json", b"Muted=true", auth, 200),
        ("POST", me, b"Muted=true", lambda e: auth(e, "wrong"), 401),
        ("POST", me, b"BeepOnExit=true&EndConferenceOnExit=true&WaitUrl=", auth, 200),
        ("GET", listing, None, auth, 200),
        ("GET", listing + "?PageSize=1", None, auth, 200),
        ("GET", listing + "?PageSize=1&Page=1", None, auth, 200),
        ("GET", listing + f"?PageSize=1&Page=1&PageToken=PACP{ca[2:]}", None, auth, 200),
        ("GET", listing + "?PageToken=PAnothing", None, auth, 400),
        ("GET", listing + "?Muted=true&Hold=false", None, auth, 200),
        ("GET", listing + "?Coaching=true&Foo=1", None, auth, 200),  # a warning for Foo
        ("GET", listing + "?PageSize=many", None, auth, 400),
        ("GET", listing + "?Muted=%FF", None, auth, 200),  # as Flask decodes it
        ("GET", listing.replace(cf, "CF" + "0" * 32), None, auth, 404),
        ("GET", listing, None, lambda e: auth(e, "wrong"), 401),
        # Creates: into this conference, into one named (new), bad and odd ones.
        ("POST", listing, b"From=%2B15550000000&To=%2B15551000003&Label=third", auth, 201),
        ("POST", f"{root}/Conferences/Other room/Participants.json",
         b"From=%2B15550000000&To=%2B15551000004&StatusCallbackEvent=initiated"
         b"&StatusCallbackEvent=answered&StatusCallback=https%3A%2F%2Fapp.test%2Fs"
         b"&ConferenceStatusCallback=https%3A%2F%2Fapp.test%2Fc", auth, 201),
        ("POST", listing, b"From=%2B15550000000&To=%2B15551000005&EarlyMedia=true&Foo=1",
         auth, 201),  # two warnings: an ignored parameter and an unknown one
        ("POST", listing, b"From=%2B15550000000", auth, 400),  # 21201: no To
        ("POST", listing, b"From=%2B15550000000&To=%2B15551000006&Timeout=1", auth, 400),
        ("POST", listing, b"From=%2B15550000000&To=%2B15551000003&Label=third", auth, 400),
        ("POST", listing, b"From=%2B15550000000&To=%FF", auth, 400),  # not UTF-8
        ("POST", listing, b"From=%2B15550000000&To=%2B15551000007", lambda e: auth(e, "wrong"),
         401),
        ("POST", listing.replace(cf, "CF" + "0" * 32),
         b"From=%2B15550000000&To=%2B15551000008", auth, 404),
        ("GET", listing, None, auth, 200),  # the ones created, listed
    ]
    for method, path, body, headers, status in requests:
        got = []
        for app, emu in ((hot_emu.app, hot_emu), (flask_only(flask_emu), flask_emu)):
            # twilio-python sends its form content type on every request, GETs included.
            kwargs = {"headers": headers(emu), "content_type": FORM}
            if body is not None:
                kwargs.update(data=body)
            got.append(answer(Client(app).open(path, method=method, **kwargs)))
            emu.advance(1)
        assert got[0] == got[1], (method, path, body)
        assert int(got[0][0].split()[0]) == status, (method, path, body, got[0])
    assert len(served) == len(requests)  # every one of them served without Flask
    assert Client(hot_emu.app).get(me, headers=auth(hot_emu)).status_code == 200
    assert len(served) == len(requests) + 1  # and a GET with no content type
    assert hot_emu.webhooks.all() == flask_emu.webhooks.all()
    assert hot_emu.alerts() == flask_emu.alerts()
    assert sum("'Foo'" in a["message"] for a in hot_emu.alerts()) == 3
    assert sum("'EarlyMedia'" in a["message"] for a in hot_emu.alerts()) == 1


def test_other_shapes_still_reach_flask(pair, monkeypatch):
    (emu, _), cf, ca = pair
    served = []
    real = hot._serve
    monkeypatch.setattr(hot, "_serve", lambda *a: served.append(a[2]) or real(*a))
    client = Client(emu.app)
    me = f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/{cf}/Participants/{ca}.json"
    assert client.get(me + "?Extra=1", headers=auth(emu)).status_code == 200
    slashed = me.replace(f"/{ca}.json", f"/{ca}/x.json")  # ``<path:...>``: Flask's
    assert client.get(slashed, headers=auth(emu)).json["code"] == 20404
    assert client.post(me, json={"Muted": True}, headers=auth(emu)).status_code == 200
    # A GET with a form body: the app's hook checks it is UTF-8.
    assert client.get(me, data=b"Muted=%FF", content_type=FORM,
                      headers=auth(emu)).json["code"] == 20001
    assert client.delete(me, headers=auth(emu)).status_code == 204
    assert served == []


def test_a_row_partly_expired_is_read_again_for_its_body(pair):
    (emu, _), cf, ca = pair
    part = emu.client.conferences(cf).participants(ca)
    part.update(hold=True)
    before = part.fetch()
    with emu.engine.transaction() as db:
        row = db.query(Participant).filter_by(call_sid=ca).one()
        db.expire(row, ["hold", "date_updated", "status"])  # as a rollback leaves them
    after = part.fetch()
    assert (after.hold, after.date_updated, after.status) == (True, before.date_updated,
                                                              before.status)
