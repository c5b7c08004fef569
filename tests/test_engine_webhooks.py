"""Webhook delivery as the engine drives it, in-process and against ``serve``: failing
targets are journaled and the conference goes on; a handler may call the REST API back;
journal entries can be replayed, re-signed."""

import socket

import pytest
from engine_harness import BACKENDS, Harness, webhook_app
from twilio.request_validator import RequestValidator

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.webhooks.live_server import LiveServer

A, B = "+15550000001", "+15550000002"


@pytest.fixture(params=BACKENDS)
def h(request):
    harness = Harness(request.param)
    yield harness
    harness.close()


def _closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return f"http://127.0.0.1:{port}/conf"


def test_a_target_that_is_down_is_journaled_11205_and_the_conference_goes_on(h):
    down = _closed_port_url()
    pa = h.add("Room", A, conference_status_callback=down)
    h.add("Room", B)
    h.emu.advance(5)
    entries = h.emu.webhooks.all(kind="conference-status")
    assert [e["error_code"] for e in entries] == [11205, 11205, 11205]
    assert all(e["status"] is None and e["url"] == down for e in entries)
    assert h.client.conferences(pa.conference_sid).fetch().status == "in-progress"
    assert 11205 in [a["code"] for a in h.emu.alerts()]


def test_a_500_answer_is_journaled_11217_and_the_conference_goes_on(h):
    h.handlers["/conf"] = lambda req: ("boom", 500)
    pa = h.add("Room", A)
    h.add("Room", B)
    h.emu.advance(5)
    entries = h.emu.webhooks.all(kind="conference-status")
    assert len(entries) == 3
    assert {(e["status"], e["error_code"], e["body"]) for e in entries} == {(500, 11217, "boom")}
    assert h.client.conferences(pa.conference_sid).fetch().status == "in-progress"
    h.client.conferences(pa.conference_sid).update(status="completed")
    h.emu.advance(0)
    assert h.conf_events()[-1] == "conference-end"


def test_a_handler_that_calls_the_rest_api_back_completes(h):
    """On participant-join the app mutes the newcomer: the webhook is in flight while the
    handler's REST call runs, so the engine must hold no lock."""
    answers = []

    def on_conf(req):
        p = req["params"]
        if p["StatusCallbackEvent"] == "participant-join":
            part = h.client.conferences(p["ConferenceSid"]).participants(p["CallSid"]).update(
                muted=True)
            answers.append(part.muted)
        return "", 204

    h.handlers["/conf"] = on_conf
    pa = h.add("Room", A)
    pb = h.add("Room", B)
    h.emu.advance(5)
    assert answers == [True, True]
    parts = h.client.conferences(pa.conference_sid).participants.list()
    assert {p.call_sid: p.muted for p in parts} == {pa.call_sid: True, pb.call_sid: True}
    # The handler's mute is queued while A's join is in flight, so it goes out before the
    # next action (B answering) runs: core.py's same-instant order, rule (c).
    assert h.conf_events() == ["participant-join", "participant-mute", "participant-join",
                               "conference-start", "participant-mute"]
    seqs = [int(q["SequenceNumber"]) for q in h.received.params("/conf")]
    assert seqs == sorted(seqs) == list(range(1, 6))


def test_replay_resends_entries_re_signed_for_the_target_url(h):
    h.add("Room", A)
    h.add("Room", B)
    h.emu.advance(5)
    originals = h.emu.webhooks.all(kind="conference-status")
    ids = [originals[2]["id"], originals[0]["id"]]
    replayed = h.emu.replay_webhooks(ids)
    assert [e["kind"] for e in replayed] == ["replay", "replay"]
    assert [e["params"] for e in replayed] == [originals[2]["params"], originals[0]["params"]]
    assert [e["url"] for e in replayed] == [originals[2]["url"], originals[0]["url"]]
    got = h.received.kind("/conf")
    assert len(got) == 5
    assert [r["params"]["StatusCallbackEvent"] for r in got[3:]] == [
        "conference-start", "participant-join"]
    assert all(r["valid"] for r in got)
    # To another URL: signed for that URL.
    (again,) = h.emu.replay_webhooks([originals[1]["id"]], url=h.url("/elsewhere"))
    assert again["url"] == h.url("/elsewhere")
    (elsewhere,) = h.received.kind("/elsewhere")
    assert elsewhere["valid"]
    assert elsewhere["params"]["CallSid"] == dict(originals[1]["params"])["CallSid"]
    validator = RequestValidator(h.token)
    assert validator.validate(again["url"], dict(again["params"]), again["signature"])
    assert len(h.emu.webhooks.all(kind="replay")) == 3


def test_replay_of_a_get_webhook(h):
    h.add("Room", A, conference_status_callback_method="GET")
    h.add("Room", B)
    h.emu.advance(5)
    first = h.emu.webhooks.all(kind="conference-status")[0]
    (again,) = h.emu.replay_webhooks([first["id"]])
    assert again["method"] == "GET" and again["url"] == first["url"]
    assert again["signature"] == first["signature"]
    assert h.received.kind("/conf")[-1]["valid"]


def test_replay_of_unknown_ids_is_a_404():
    emu = Emulator()
    resp = emu.app.test_client().post("/_emulator/webhooks/replay", json={"ids": [999]})
    assert resp.status_code == 404
    resp = emu.app.test_client().post("/_emulator/webhooks/replay", json={"ids": "1"})
    assert resp.status_code == 400


def test_in_process_emulator_delivers_over_real_http_with_valid_signatures():
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    received = []
    handlers = {}

    def on_conf(req):
        p = req["params"]
        if p["StatusCallbackEvent"] == "conference-start":
            emu.client.conferences(p["ConferenceSid"]).update(status="completed")
        return "", 204

    handlers["/conf"] = on_conf
    with LiveServer(webhook_app(emu.auth_token, received, handlers)) as server:
        for to in (A, B):
            emu.client.conferences("Room").participants.create(
                from_="+15550100000", to=to, conference_status_callback=server.url + "/conf",
                conference_status_callback_event=["join", "start", "end", "leave"],
                status_callback=server.url + "/call")
        emu.advance(5)
    events = [r["params"]["StatusCallbackEvent"] for r in received if r["path"] == "/conf"]
    assert events == ["participant-join", "participant-join", "conference-start",
                      "participant-leave", "participant-leave", "conference-end"]
    assert all(r["valid"] for r in received)
    assert [r["params"]["CallStatus"] for r in received if r["path"] == "/call"] == [
        "completed", "completed"]
    emu.stop()
