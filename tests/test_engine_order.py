"""The fixed order of everything due at one instant (engine/core.py docstring, rules a-d)."""

from flask import Flask, request

from twilio_conf_emulator.webhooks.transport import OutboundRequest

A, B = "+15550000001", "+15550000002"


def _recorder(emu, log):
    app = Flask("order")

    @app.route("/<path:path>", methods=["POST"])
    def hook(path):
        log.append(("deliver", request.form["n"]))
        return "", 204

    emu.deliver_webhooks_to(app)


def _send(emu, n, on_result=None):
    emu.engine.emit_request(
        OutboundRequest(url="https://app.example.com/x", method="POST", params=[("n", n)],
                        kind="test"),
        account_sid=emu.account_sid, on_result=on_result)


def test_same_instant_order_rules(emu):
    log = []
    _recorder(emu, log)
    eng = emu.engine
    eng.config.require_stored_actions = False  # the rules, shown with plain closures
    t = eng.now() + 10

    def first():
        log.append(("action", "first"))
        _send(emu, "first-1", on_result=lambda r: (log.append(("result", "first-1")),
                                                    _send(emu, "from-result")))
        _send(emu, "first-2")
        eng.soon(lambda: log.append(("action", "soon-from-first")))

    with eng.transaction():
        eng.at(t, first)
        eng.at(t, lambda: log.append(("action", "second")))
        eng.at(t - 5, lambda: log.append(("action", "earlier")))
        _send(emu, "rest")  # queued outside a run, as a REST call does
    emu.advance(10)
    assert log == [
        ("deliver", "rest"),                     # (a) what REST calls queued goes first
        ("action", "earlier"),                   # (b) by due time...
        ("action", "first"),                     # ...then FIFO among equal due times
        ("deliver", "first-1"),                  # (c) the action's requests, in order,
        ("result", "first-1"),                   #     each on_result right after its answer,
        ("deliver", "first-2"),
        ("deliver", "from-result"),              #     what on_result queued joins the end
        ("action", "second"),                    # (b) the next action already due at t
        ("action", "soon-from-first"),           #     "soon" at t runs after those
    ]
    assert {e["time"] for e in emu.webhooks.all(kind="test")[1:]} == {t}


def test_rest_calls_made_at_one_instant_are_delivered_at_that_instant(emu, client):
    emu.phone(A, hangup_after=100)
    p = client.conferences("Room").participants.create(
        from_="+15550100000", to=A, conference_status_callback="https://app.example.com/c",
        conference_status_callback_event=["join", "mute"])
    client.conferences("Room").participants.create(from_="+15550100000", to=B)
    emu.advance(5)
    client.conferences(p.conference_sid).participants(p.call_sid).update(muted=True)
    emu.advance(60)
    mute = emu.webhooks.all(kind="conference-status")[-1]
    assert dict(mute["params"])["StatusCallbackEvent"] == "participant-mute"
    assert mute["time"] == emu.engine.clock.now() - 60  # journaled when it was made


def test_two_legs_answering_at_one_instant(emu, client):
    for to in (A, B):
        client.conferences("Room").participants.create(
            from_="+15550100000", to=to, status_callback="https://app.example.com/call",
            status_callback_event=["answered"],
            conference_status_callback="https://app.example.com/conf",
            conference_status_callback_event=["join", "start"])
    emu.advance(5)
    seen = [(e["kind"], dict(e["params"]).get("StatusCallbackEvent")
             or dict(e["params"])["CallStatus"], dict(e["params"])["CallSid"]
             if "CallSid" in dict(e["params"]) else None) for e in emu.webhooks.all()]
    calls = [e[2] for e in seen if e[0] == "call-status"]
    assert [e[:2] for e in seen] == [
        ("call-status", "in-progress"), ("conference-status", "participant-join"),
        ("call-status", "in-progress"), ("conference-status", "participant-join"),
        ("conference-status", "conference-start")]
    assert [e[2] for e in seen][:4] == [calls[0], calls[0], calls[1], calls[1]]
    assert len({e["time"] for e in emu.webhooks.all()}) == 1


def test_same_scenario_twice_gives_the_same_journal_bytes():
    import json

    from twilio_conf_emulator import Emulator

    def run():
        emu = Emulator()
        app = Flask("same")
        app.add_url_rule("/<path:p>", "h", lambda p: ("", 204), methods=["GET", "POST"])
        emu.deliver_webhooks_to(app)
        emu.phone(A, hangup_after=40)
        for to in (A, B):
            emu.client.conferences("Room").participants.create(
                from_="+15550100000", to=to, conference_status_callback="https://a.test/c",
                conference_status_callback_event=["start", "end", "join", "leave", "mute"],
                status_callback="https://a.test/s",
                status_callback_event=["initiated", "ringing", "answered", "completed"])
        emu.advance(10)
        sid = emu.client.conferences.list()[0].sid
        for p in emu.client.conferences(sid).participants.list():
            p.update(muted=True)
        emu.advance(100)
        entries = emu.webhooks.all()
        emu.stop()
        return json.dumps([{k: v for k, v in e.items() if k != "id"} for e in entries]).encode()

    first, second = run(), run()
    assert len(first) > 1000
    assert first == second
