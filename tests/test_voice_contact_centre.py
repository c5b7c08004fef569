"""Seed 004's contact-centre flows, with the caller in through TwiML and agents and supervisors
handled through the REST API together: hold, cold and warm transfer, monitor, whisper, barge."""

import pytest
from flask import Flask, request
from twilio.twiml.voice_response import Dial, VoiceResponse

from twilio_conf_emulator.webhooks.live_server import LiveServer

SUPPORT = "+15550200000"
AGENT1, AGENT2, SUPERVISOR = "+15550300001", "+15550300002", "+15550300009"
ROOM = "WTtask1"


def xml(r):
    return str(r), 200, {"Content-Type": "text/xml"}


def make_app():
    app = Flask(__name__)

    @app.post("/incoming")
    def incoming():
        r = VoiceResponse()
        r.say("Thanks for calling. Connecting you to an agent.")
        d = Dial(action="/caller-done")
        d.conference(ROOM, start_conference_on_enter=True, end_conference_on_exit=True,
                     participant_label="customer", beep=False,
                     status_callback="/conf-events",
                     status_callback_event="start end join leave mute hold modify")
        r.append(d)
        return xml(r)

    @app.post("/caller-done")
    def caller_done():
        return xml(VoiceResponse())

    @app.post("/hold")
    def hold():
        r = VoiceResponse()
        r.play("file:" + request.args.get("wav", "/nonexistent.wav"))
        r.say("Please hold.")
        r.redirect("/hold")
        return xml(r)

    @app.post("/monitor")
    def monitor():
        r = VoiceResponse()
        d = Dial()
        d.conference(ROOM, muted=True, participant_label="supervisor", beep=False)
        r.append(d)
        return xml(r)

    @app.post("/whisper")
    def whisper():
        r = VoiceResponse()
        d = Dial()
        d.conference(ROOM, coach=request.args["agent"], participant_label="coach", beep=False)
        r.append(d)
        return xml(r)

    @app.post("/conf-events")
    def conf_events():
        return "", 204

    return app


@pytest.fixture
def centre(emu):
    emu.deliver_webhooks_to(make_app())
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url="http://app.test/incoming")
    customer = emu.call("+15559990000", SUPPORT)
    emu.advance(10)
    conf = emu.client.conferences.list(friendly_name=ROOM)[0]
    agent = emu.client.conferences(conf.sid).participants.create(
        from_=SUPPORT, to=AGENT1, label="agent", end_conference_on_exit=False, beep="false")
    emu.advance(5)
    assert emu.client.conferences(conf.sid).fetch().status == "in-progress"
    return emu, conf.sid, customer, agent.call_sid


def labels(emu, conf_sid):
    return {p.label: p for p in emu.client.conferences(conf_sid).participants.list()}


def events_since(emu, mark):
    return [e for e in emu.webhooks.params(kind="conference-status")][mark:]


def test_call_setup_puts_caller_and_agent_in_one_conference(centre):
    emu, conf_sid, customer, agent = centre
    parts = labels(emu, conf_sid)
    assert parts["customer"].call_sid == customer and parts["agent"].call_sid == agent
    assert [e["StatusCallbackEvent"] for e in emu.webhooks.params(kind="conference-status")] == [
        "participant-join", "participant-join", "conference-start"]
    call = emu.client.calls(customer).fetch()
    assert call.direction == "inbound" and call.status == "in-progress"


def test_hold_with_hold_url(centre, tmp_path):
    emu, conf_sid, customer, agent = centre
    import numpy as np
    import soundfile as sf
    wav = tmp_path / "music.wav"
    sf.write(wav, (np.sin(np.arange(8000) / 5) * 8000).astype("int16"), 8000)
    mark = len(emu.webhooks.params(kind="conference-status"))
    emu.client.conferences(conf_sid).participants(customer).update(
        hold=True, hold_url=f"http://app.test/hold?wav={wav}", hold_method="POST")
    emu.advance(1)
    assert labels(emu, conf_sid)["customer"].hold is True
    hold_req = emu.webhooks.params(kind="hold-url")
    assert hold_req and hold_req[0]["CallSid"] == customer
    emu.client.conferences(conf_sid).participants(customer).update(hold=False)
    emu.advance(1)
    assert labels(emu, conf_sid)["customer"].hold is False
    assert [e["StatusCallbackEvent"] for e in events_since(emu, mark)] == [
        "participant-hold", "participant-unhold"]
    assert [a for a in emu.alerts() if a["level"] == "error"] == []


def test_cold_transfer(centre):
    emu, conf_sid, customer, agent = centre
    mark = len(emu.webhooks.params(kind="conference-status"))
    parts = emu.client.conferences(conf_sid).participants
    parts(customer).update(hold=True)
    second = parts.create(from_=SUPPORT, to=AGENT2, label="agent2", beep="false")
    parts(agent).delete()  # the first agent leaves at once, before agent2 answers
    emu.advance(5)
    parts(customer).update(hold=False)
    emu.advance(1)
    now = labels(emu, conf_sid)
    assert set(now) == {"customer", "agent2"}
    assert now["agent2"].status == "connected" and now["customer"].hold is False
    assert emu.client.conferences(conf_sid).fetch().status == "in-progress"
    assert emu.client.calls(agent).fetch().status == "completed"
    got = [(e["StatusCallbackEvent"], e.get("CallSid")) for e in events_since(emu, mark)]
    assert got == [("participant-hold", customer), ("participant-leave", agent),
                   ("participant-join", second.call_sid), ("participant-unhold", customer)]
    leave = events_since(emu, mark)[1]
    assert leave["ReasonParticipantLeft"] == "participant_updated_via_api"


def test_warm_transfer(centre):
    emu, conf_sid, customer, agent = centre
    mark = len(emu.webhooks.params(kind="conference-status"))
    parts = emu.client.conferences(conf_sid).participants
    parts(customer).update(hold=True)
    second = parts.create(from_=SUPPORT, to=AGENT2, label="agent2", beep="false")
    emu.advance(5)
    # Both agents talk while the customer waits on hold; then the customer comes back and
    # the first agent drops.
    assert set(labels(emu, conf_sid)) == {"customer", "agent", "agent2"}
    parts(customer).update(hold=False)
    emu.advance(1)
    parts(agent).delete()
    emu.advance(1)
    assert set(labels(emu, conf_sid)) == {"customer", "agent2"}
    got = [(e["StatusCallbackEvent"], e.get("CallSid")) for e in events_since(emu, mark)]
    assert got == [("participant-hold", customer), ("participant-join", second.call_sid),
                   ("participant-unhold", customer), ("participant-leave", agent)]


def test_monitor_whisper_and_barge(centre):
    emu, conf_sid, customer, agent = centre
    mark = len(emu.webhooks.params(kind="conference-status"))
    # Monitor: the supervisor's leg answers TwiML that joins muted.
    sup = emu.client.calls.create(to=SUPERVISOR, from_=SUPPORT, url="http://app.test/monitor")
    emu.advance(5)
    p = labels(emu, conf_sid)["supervisor"]
    assert p.call_sid == sup.sid and p.muted is True and p.coaching is False
    voice = emu.webhooks.params(kind="voice", call_sid=sup.sid)
    assert voice[0]["Direction"] == "outbound-api" and voice[0]["CallStatus"] == "in-progress"
    # Barge: unmute the supervisor.
    emu.client.conferences(conf_sid).participants("supervisor").update(muted=False)
    emu.advance(1)
    assert labels(emu, conf_sid)["supervisor"].muted is False
    # Whisper: a second supervisor leg coaches the agent from TwiML (coach attribute).
    coach = emu.client.calls.create(to="+15550300010", from_=SUPPORT,
                                    url=f"http://app.test/whisper?agent={agent}")
    emu.advance(5)
    c = labels(emu, conf_sid)["coach"]
    assert c.call_sid == coach.sid and c.coaching is True and c.call_sid_to_coach == agent
    got = [(e["StatusCallbackEvent"], e.get("CallSid"), e.get("Coaching"))
           for e in events_since(emu, mark)]
    assert got == [("participant-join", sup.sid, "false"),
                   ("participant-unmute", sup.sid, "false"),
                   ("participant-join", coach.sid, "true")]
    join = events_since(emu, mark)[2]
    assert join["CallSidToCoach"] == agent


def test_redirecting_a_participant_takes_it_out_of_the_conference(centre):
    emu, conf_sid, customer, agent = centre
    mark = len(emu.webhooks.params(kind="conference-status"))
    emu.client.calls(agent).update(twiml="<Response><Say>Bye now</Say></Response>")
    emu.advance(0)
    leave = events_since(emu, mark)[0]
    assert leave["StatusCallbackEvent"] == "participant-leave" and leave["CallSid"] == agent
    assert leave["ReasonParticipantLeft"] == "participant_updated_via_api"
    assert emu.client.calls(agent).fetch().status == "in-progress"  # saying "Bye now"
    emu.advance(5)
    assert emu.client.calls(agent).fetch().status == "completed"
    # Redirecting a finished call is 21220.
    from twilio.base.exceptions import TwilioRestException
    with pytest.raises(TwilioRestException) as err:
        emu.client.calls(agent).update(url="http://app.test/incoming")
    assert err.value.code == 21220


def test_contact_centre_over_http(emu):
    app = make_app()
    with LiveServer(app) as server:
        emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                                 voice_url=server.url + "/incoming")
        customer = emu.call("+15559990000", SUPPORT)
        emu.advance(5)
        sup = emu.client.calls.create(to=SUPERVISOR, from_=SUPPORT, url=server.url + "/monitor")
        emu.advance(5)
        conf = emu.client.conferences.list(friendly_name=ROOM)[0]
        assert conf.status == "in-progress"
        assert labels(emu, conf.sid)["supervisor"].muted is True
        emu.hangup(customer)  # endConferenceOnExit: the supervisor's Dial (no action) ends
        emu.advance(1)
    assert emu.client.conferences(conf.sid).fetch().status == "completed"
    assert emu.client.calls(sup.sid).fetch().status == "completed"
    # Only the customer's own <Dial action> is requested, after its hang-up.
    actions = emu.webhooks.params(kind="action")
    assert [(a["CallSid"], a["CallStatus"]) for a in actions] == [(customer, "completed")]
