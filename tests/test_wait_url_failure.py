"""A waitUrl that fails (5xx, refused, bad content): the conference is not established for
that call, which goes on with the TwiML after <Dial>, or the Dial action."""

import pytest
from engine_harness import Harness

A = "+15550000001"


@pytest.fixture
def h():
    harness = Harness("inproc")
    harness.handlers["/wait-500"] = lambda r: ("boom", 500, {"Content-Type": "text/plain"})
    harness.handlers["/wait-dial"] = lambda r: (
        "<Response><Dial>+15550000009</Dial></Response>", 200, {"Content-Type": "text/xml"})
    harness.handlers["/wait-ok"] = lambda r: (
        "<Response><Pause length='60'/></Response>", 200, {"Content-Type": "text/xml"})
    harness.handlers["/action"] = lambda r: (
        "<Response><Say>Action ran.</Say></Response>", 200, {"Content-Type": "text/xml"})
    yield harness
    harness.close()


def _dial(h, wait_url, action=None):
    act = f' action="{action}"' if action else ""
    twiml = (f'<Response><Dial{act}><Conference waitUrl="{wait_url}" '
             f'statusCallback="{h.url("/conf")}" statusCallbackEvent="join leave end">Room'
             '</Conference></Dial><Say>After the dial.</Say><Pause length="30"/></Response>')
    h.emu.phone(A, answer_after=1)
    call = h.client.calls.create(to=A, from_="+15550100000", twiml=twiml)
    h.emu.advance(5)
    return call.sid


def _says(h, sid):
    from twilio_conf_emulator.store.models import MediaEventRow

    with h.emu.engine.transaction() as db:
        rows = db.query(MediaEventRow).filter(MediaEventRow.call_sid == sid,
                                              MediaEventRow.kind == "call-play")
        return [r.data["audio"].get("text") for r in rows.order_by(MediaEventRow.id)]


@pytest.mark.parametrize("path, code", [("/wait-500", 11217), ("/wait-dial", 13238)])
def test_failed_wait_url_continues_after_dial(h, path, code):
    sid = _dial(h, h.url(path))
    assert _says(h, sid) == ["After the dial."]
    assert h.client.calls(sid).fetch().status == "in-progress"
    [conf] = h.client.conferences.list(friendly_name="Room")
    assert conf.status == "completed"
    leave = [q for q in h.received.params("/conf")
             if q["StatusCallbackEvent"] == "participant-leave"]
    assert [(q["ReasonParticipantLeft"], q["ParticipantCallStatus"]) for q in leave] == [
        ("participant_add_failed", "in-progress")]
    assert code in {a["code"] for a in h.emu.alerts()}


def test_refused_wait_url_goes_to_the_dial_action(h):
    sid = _dial(h, "http://127.0.0.1:9/wait", action=h.url("/action"))
    [action] = h.received.params("/action")
    assert action["DialCallStatus"] == "failed" and action["DialBridged"] == "false"
    assert action["CallSid"] == sid
    assert _says(h, sid) == ["Action ran."]


def test_working_wait_url_keeps_the_caller_waiting(h):
    sid = _dial(h, h.url("/wait-ok"))
    assert _says(h, sid) == []
    [conf] = h.client.conferences.list(friendly_name="Room")
    assert conf.status == "init"
    assert len(h.client.conferences(conf.sid).participants.list()) == 1
