"""Engine robustness: a failing action is rolled back but the journal keeps what was really
sent; reset forgets state and every cached lookup; virtual phones can be reconfigured."""

import pytest
from flask import Flask

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.store.models import Conference
from twilio_conf_emulator.webhooks.transport import OutboundRequest

A, B = "+15550000001", "+15550000002"


def _sink(emu):
    app = Flask("sink")
    app.add_url_rule("/<path:p>", "h", lambda p: ("", 204), methods=["GET", "POST"])
    emu.deliver_webhooks_to(app)


def test_a_failing_result_handler_is_rolled_back_and_the_journal_keeps_the_request():
    emu = Emulator(config=EmulatorConfig(strict_actions=False))
    _sink(emu)
    client = emu.client
    p = client.conferences("Room").participants.create(from_="+15550100000", to=A)
    conf_sid = p.conference_sid

    def broken(result):
        emu.engine.db.get(Conference, conf_sid).friendly_name = "changed"
        raise RuntimeError("handler bug")

    with emu.engine.transaction():
        emu.engine.emit_request(
            OutboundRequest(url="https://app.test/x", method="POST", params=[("a", "1")],
                            kind="test"),
            account_sid=emu.account_sid, on_result=broken)
    emu.advance(5)
    assert [e["kind"] for e in emu.webhooks.all()] == ["test"]
    assert client.conferences(conf_sid).fetch().friendly_name == "Room"
    assert [a["code"] for a in emu.alerts()] == [20500]
    assert "handler bug" in emu.alerts()[0]["message"]
    # The engine carries on: the leg still answered.
    assert client.conferences(conf_sid).participants(p.call_sid).fetch().status == "connected"
    emu.stop()


def test_a_failed_transaction_keeps_journal_rows_delivered_before_it():
    emu = Emulator()
    _sink(emu)
    with emu.engine.transaction():
        emu.engine.emit_request(
            OutboundRequest(url="https://app.test/x", method="POST", params=[], kind="test"),
            account_sid=emu.account_sid)
    emu.engine._deliver_outbox()  # delivered, journaled, not committed yet
    with pytest.raises(RuntimeError):
        with emu.engine.transaction():  # a REST request that fails is rolled back
            raise RuntimeError("400")
    assert len(emu.webhooks.all(kind="test")) == 1
    emu.stop()


def test_reset_forgets_state_and_cached_lookups(emu, client):
    emu.phone(A, outcome="busy")
    first = client.conferences("Room").participants.create(from_="+15550100000", to=B)
    emu.advance(5)
    emu.reset()
    assert client.conferences.list() == []
    assert emu.webhooks.all() == []
    # Same SIDs again, a fresh conference by the same name, and A answers (phone forgotten).
    again = client.conferences("Room").participants.create(from_="+15550100000", to=A)
    assert again.conference_sid == first.conference_sid
    assert again.call_sid == first.call_sid
    emu.advance(5)
    assert client.conferences(again.conference_sid).participants(again.call_sid).fetch() \
        .status == "connected"


def test_a_reconfigured_phone_is_used_for_the_next_dial(emu, client):
    emu.phone(A, outcome="busy")
    p1 = client.conferences("Room").participants.create(from_="+15550100000", to=A)
    emu.advance(5)
    assert client.calls(p1.call_sid).fetch().status == "busy"
    emu.phone(A, answer_after=2)
    p2 = client.conferences("Room").participants.create(from_="+15550100000", to=A)
    emu.advance(5)
    assert client.calls(p2.call_sid).fetch().status == "in-progress"
