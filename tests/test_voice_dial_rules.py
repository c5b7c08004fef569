"""<Dial><Conference> rules from seed 001: waitUrl verbs (13238), participantLabel (16025),
maxParticipants (16020), coach (13240), hangupOnStar and timeLimit; <Dial><Number>."""

from flask import Flask, request
from twilio.twiml.voice_response import Dial, VoiceResponse

NUMBER = "+15550400000"


def xml(r):
    return str(r), 200, {"Content-Type": "text/xml"}


def make_app():
    app = Flask(__name__)

    @app.post("/join")
    def join():
        a = request.args
        r = VoiceResponse()
        dial_kw = {}
        if "action" in a:
            dial_kw["action"] = "/after"
        if "star" in a:
            dial_kw["hangup_on_star"] = True
        if "limit" in a:
            dial_kw["time_limit"] = int(a["limit"])
        d = Dial(**dial_kw)
        conf_kw = {}
        for key, attr in (("label", "participant_label"), ("wait", "wait_url"),
                          ("max", "max_participants"), ("coach", "coach")):
            if key in a:
                conf_kw[attr] = a[key]
        d.conference(a.get("room", "Rules"), **conf_kw)
        r.append(d)
        r.say("After the conference.")
        return xml(r)

    @app.post("/after")
    def after():
        r = VoiceResponse()
        r.say("Dial action reached.")
        return xml(r)

    @app.post("/wait-bad")
    def wait_bad():
        r = VoiceResponse()
        r.say("hold on")
        r.dial("+15550000000")
        return xml(r)

    @app.post("/transfer")
    def transfer():
        r = VoiceResponse()
        d = Dial(action="/after", timeout=20)
        d.number(request.args.get("to", "+15550500000"))
        r.append(d)
        return xml(r)

    return app


def setup(emu, query):
    emu.deliver_webhooks_to(make_app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/join?" + query)


def set_url(emu, query):
    n = emu.client.incoming_phone_numbers.list(phone_number=NUMBER)[0]
    emu.client.incoming_phone_numbers(n.sid).update(voice_url="http://app.test/join?" + query)


def says(emu, sid):
    from twilio_conf_emulator.store.models import MediaEventRow

    with emu.engine.transaction() as db:
        rows = db.query(MediaEventRow).filter(MediaEventRow.call_sid == sid,
                                              MediaEventRow.kind == "call-play")
        return [r.data["audio"].get("text") for r in rows.order_by(MediaEventRow.id)]


def codes(emu):
    return [a["code"] for a in emu.alerts()]


def test_wait_url_with_dial_is_13238(emu):
    setup(emu, "wait=/wait-bad")
    sid = emu.call("+15551110001", NUMBER)
    emu.advance(2)
    assert 13238 in codes(emu)
    alert = next(a for a in emu.alerts() if a["code"] == 13238)
    assert alert["call_sid"] == sid and "Dial" in alert["message"]
    # A failed waitUrl: the conference is not established for the caller (issue 9); it was
    # alone, so the conference ends, and the caller's TwiML goes on after <Dial>.
    conf = emu.client.conferences.list(friendly_name="Rules")[0]
    assert conf.status == "completed"
    assert emu.client.conferences(conf.sid).participants.list() == []
    assert emu.webhooks.params(kind="wait-url")[0]["CallSid"] == sid


def test_duplicate_participant_label_runs_the_next_verb(emu):
    setup(emu, "label=agent&action=1")
    first = emu.call("+15551110001", NUMBER)
    second = emu.call("+15551110002", NUMBER)
    emu.advance(10)
    conf = emu.client.conferences.list(friendly_name="Rules")[0]
    parts = emu.client.conferences(conf.sid).participants.list()
    assert [p.call_sid for p in parts] == [first]
    assert 16025 in codes(emu)
    # Not added: the next verb ran (not the Dial action), then the call ended.
    assert says(emu, second) == ["After the conference."]
    assert emu.webhooks.all(kind="action") == []
    assert emu.client.calls(second).fetch().status == "completed"


def test_max_participants_is_16020(emu):
    setup(emu, "max=1")
    emu.call("+15551110001", NUMBER)
    second = emu.call("+15551110002", NUMBER)
    emu.advance(10)
    assert 16020 in codes(emu)
    assert says(emu, second) == ["After the conference."]


def test_missing_coach_target_fails_to_the_action_url(emu):
    setup(emu, "coach=CA00000000000000000000000000000000&action=1")
    sid = emu.call("+15551110001", NUMBER)
    emu.advance(5)
    assert 13240 in codes(emu)
    action = emu.webhooks.params(kind="action", call_sid=sid)
    assert action[0]["DialCallStatus"] == "failed"
    assert says(emu, sid) == ["Dial action reached."]


def test_hangup_on_star_leaves_and_calls_the_action(emu):
    setup(emu, "star=1&action=1")
    a = emu.call("+15551110001", NUMBER, digits=[(20, "*")])
    b = emu.call("+15551110002", NUMBER)
    emu.advance(10)
    conf = emu.client.conferences.list(friendly_name="Rules")[0]
    assert conf.status == "in-progress"
    emu.advance(15)
    parts = emu.client.conferences(conf.sid).participants.list()
    assert [p.call_sid for p in parts] == [b]
    action = emu.webhooks.params(kind="action", call_sid=a)
    assert len(action) == 1 and action[0]["DialCallStatus"] == "answered"
    assert says(emu, a) == ["Dial action reached."]
    emu.advance(10)
    assert emu.client.calls(a).fetch().status == "completed"
    assert emu.client.calls(b).fetch().status == "in-progress"


def test_hangup_on_star_ignored_without_the_attribute(emu):
    setup(emu, "action=1")
    a = emu.call("+15551110001", NUMBER, digits=[(20, "*")])
    emu.call("+15551110002", NUMBER)
    emu.advance(30)
    assert emu.webhooks.all(kind="action") == []
    assert emu.client.calls(a).fetch().status == "in-progress"


def test_time_limit_ends_the_dial(emu):
    setup(emu, "limit=30")
    a = emu.call("+15551110001", NUMBER)
    b = emu.call("+15551110002", NUMBER)
    emu.advance(29)
    conf = emu.client.conferences.list(friendly_name="Rules")[0]
    assert len(emu.client.conferences(conf.sid).participants.list()) == 2
    emu.advance(2)
    # Both legs hit their time limit; no action, so the next verb runs for each.
    assert emu.client.conferences(conf.sid).fetch().status == "completed"
    assert says(emu, a) == ["After the conference."]
    assert says(emu, b) == ["After the conference."]


def test_dial_number_transfer_reports_dial_call_status(emu):
    emu.deliver_webhooks_to(make_app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/transfer")
    emu.phone("+15550500000", answer_after=2, hangup_after=40)
    sid = emu.call("+15551110001", NUMBER)
    emu.advance(60)
    action = emu.webhooks.params(kind="action", call_sid=sid)[0]
    child = emu.client.calls.list(parent_call_sid=sid)[0]
    assert child.direction == "outbound-dial" and child.status == "completed"
    assert action["DialCallStatus"] == "completed" and action["DialCallSid"] == child.sid
    assert action["DialCallDuration"] == "40"


def test_dial_number_busy(emu):
    emu.deliver_webhooks_to(make_app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/transfer")
    emu.phone("+15550500000", outcome="busy")
    sid = emu.call("+15551110001", NUMBER)
    emu.advance(10)
    action = emu.webhooks.params(kind="action", call_sid=sid)[0]
    assert action["DialCallStatus"] == "busy" and "DialCallDuration" not in action
    assert says(emu, sid) == ["Dial action reached."]


def test_caller_hanging_up_in_a_conference_still_requests_the_dial_action(emu):
    setup(emu, "action=1")
    a = emu.call("+15551110001", NUMBER)
    emu.call("+15551110002", NUMBER)
    emu.advance(10)
    emu.hangup(a)
    emu.advance(1)
    action = emu.webhooks.params(kind="action", call_sid=a)
    assert len(action) == 1
    assert action[0]["DialCallStatus"] == "answered"
    assert action[0]["CallStatus"] == "completed"
    assert "DialCallSid" not in action[0]
    # The call is over: whatever the action answers is not run.
    assert says(emu, a) == []
    assert emu.client.calls(a).fetch().status == "completed"


def test_caller_hanging_up_without_a_dial_action_sends_no_action_request(emu):
    setup(emu, "room=NoAction")
    a = emu.call("+15551110001", NUMBER)
    emu.call("+15551110002", NUMBER)
    emu.advance(10)
    emu.hangup(a)
    emu.advance(1)
    assert emu.webhooks.all(kind="action") == []


def test_caller_hanging_up_while_bridged_to_a_number_reports_the_dialled_leg(emu):
    emu.deliver_webhooks_to(make_app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/transfer")
    a = emu.call("+15551110001", NUMBER)
    emu.advance(10)
    child = emu.client.calls.list(parent_call_sid=a)[0]
    assert child.status == "in-progress"
    emu.advance(30)
    emu.hangup(a)
    emu.advance(1)
    action = emu.webhooks.params(kind="action", call_sid=a)
    assert len(action) == 1
    assert action[0]["DialCallStatus"] == "completed"
    assert action[0]["DialCallSid"] == child.sid
    assert int(action[0]["DialCallDuration"]) >= 30
    assert emu.client.calls(child.sid).fetch().status == "completed"
