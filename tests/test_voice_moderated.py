"""Seed 002: a moderated conference chosen from a <Gather> menu, through a real Flask app
(in-process WSGI and over HTTP)."""

from flask import Flask, request
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from twilio_conf_emulator.webhooks.live_server import LiveServer

NUMBER = "+15550100000"
ROOM = "moderated-conference-room"


def make_app():
    app = Flask(__name__)
    seen = {"actions": []}
    app.seen = seen

    @app.post("/menu")
    def menu():
        r = VoiceResponse()
        digits = request.form.get("Digits")
        if not digits:
            g = Gather(num_digits=1, action="/menu", method="POST", timeout=5)
            g.say("Press 1 to listen, 2 to speak, 3 if you are the moderator.")
            r.append(g)
            r.say("We did not get your choice. Goodbye.")
            return str(r), 200, {"Content-Type": "text/xml"}
        dial = Dial(action="/after", method="POST")
        if digits == "1":
            dial.conference(ROOM, muted=True, start_conference_on_enter=False,
                            participant_label="listener",
                            status_callback="/events",
                            status_callback_event="start end join leave mute")
        elif digits == "2":
            dial.conference(ROOM, start_conference_on_enter=False, participant_label="speaker")
        else:
            dial.conference(ROOM, start_conference_on_enter=True, end_conference_on_exit=True,
                            participant_label="moderator")
        r.append(dial)
        return str(r), 200, {"Content-Type": "text/xml"}

    @app.post("/after")
    def after():
        seen["actions"].append(dict(request.form))
        r = VoiceResponse()
        r.say("The conference has ended. Goodbye.")
        return str(r), 200, {"Content-Type": "text/xml"}

    @app.post("/events")
    def events():
        return "", 204

    return app


def run_moderated(emu, base):
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER, voice_url=base + "/menu")
    listener = emu.call("+15550000001", NUMBER, digits=[{"at": 2, "digits": "1"}])
    speaker = emu.call("+15550000002", NUMBER, digits=[(3, "2")])
    emu.advance(10)
    conf = emu.client.conferences.list(friendly_name=ROOM)[0]
    assert conf.status == "init"  # nobody with startConferenceOnEnter yet
    parts = {p.label: p for p in emu.client.conferences(conf.sid).participants.list()}
    assert set(parts) == {"listener", "speaker"}
    assert parts["listener"].muted is True and parts["speaker"].muted is False

    moderator = emu.call("+15550000003", NUMBER, digits=[(1, "3")])
    emu.advance(5)
    assert emu.client.conferences(conf.sid).fetch().status == "in-progress"
    emu.advance(60)
    emu.hangup(moderator)
    emu.advance(30)
    conf = emu.client.conferences(conf.sid).fetch()
    assert conf.status == "completed"
    assert conf.reason_conference_ended == "participant-with-end-conference-on-exit-left"

    # The listener and the speaker fell out of <Dial> to its action with DialCallStatus=answered;
    # the moderator, who hung up, still gets its own action requested (its call is over).
    actions = emu.webhooks.params(kind="action")
    assert [a["CallSid"] for a in actions] == [listener, speaker, moderator]
    assert [a["CallStatus"] for a in actions] == ["in-progress", "in-progress", "completed"]
    for a in actions:
        assert a["DialCallStatus"] == "answered"
        assert "DialCallSid" not in a and "DialCallDuration" not in a
    # ...and their calls ended after the goodbye (the action's TwiML ran out).
    for sid in (listener, speaker):
        assert emu.client.calls(sid).fetch().status == "completed"
    assert emu.client.calls(moderator).fetch().status == "completed"

    events = emu.webhooks.events(kind="conference-status")
    assert events == ["participant-join", "participant-join", "participant-join",
                      "conference-start", "participant-leave", "participant-leave",
                      "participant-leave", "conference-end"]
    # The menu: first request without Digits, then the Gather action with them.
    voice = emu.webhooks.params(kind="voice", call_sid=listener)
    assert voice[0]["CallStatus"] == "ringing" and voice[0]["Direction"] == "inbound"
    assert voice[0]["To"] == NUMBER and voice[0]["From"] == "+15550000001"
    gathered = emu.webhooks.params(kind="gather", call_sid=listener)
    assert gathered[0]["Digits"] == "1" and gathered[0]["CallStatus"] == "in-progress"
    return actions


def test_moderated_conference_in_process(emu):
    app = make_app()
    emu.deliver_webhooks_to(app)
    actions = run_moderated(emu, "http://app.test")
    assert [a["DialCallStatus"] for a in app.seen["actions"]] == ["answered"] * 3
    assert actions[0]["DialBridged"] == "true"


def test_moderated_conference_over_http(emu):
    app = make_app()
    with LiveServer(app) as server:
        run_moderated(emu, server.url)
    assert len(app.seen["actions"]) == 3


def test_gather_no_input_runs_next_verb(emu):
    app = make_app()
    emu.deliver_webhooks_to(app)
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER, voice_url="http://app.test/menu")
    sid = emu.call("+15550000009", NUMBER)
    emu.advance(0)
    assert emu.client.calls(sid).fetch().status == "in-progress"
    emu.advance(30)
    assert emu.client.calls(sid).fetch().status == "completed"
    assert emu.webhooks.all(kind="gather") == []
    plays = [e for e in media_events(emu, sid) if e.kind == "call-play"]
    assert [p.data["audio"]["text"] for p in plays] == [
        "Press 1 to listen, 2 to speak, 3 if you are the moderator.",
        "We did not get your choice. Goodbye."]


def media_events(emu, sid):
    from twilio_conf_emulator.store.models import MediaEventRow

    with emu.engine.transaction() as db:
        return list(db.query(MediaEventRow).filter(MediaEventRow.call_sid == sid)
                    .order_by(MediaEventRow.id))
