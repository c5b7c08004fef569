"""<Conference coach="CA..."> must name a call connected to an in-progress conference;
anything else fails the <Dial> (13240): its action gets DialCallStatus=failed, else the next
verb runs."""

import pytest
from engine_harness import Harness

A, B, COACH = "+15550000001", "+15550000002", "+15550000003"


@pytest.fixture
def h():
    harness = Harness("inproc")
    harness.handlers["/action"] = lambda r: (
        "<Response><Say>Coaching failed.</Say></Response>", 200, {"Content-Type": "text/xml"})
    for n in (A, B, COACH):
        harness.emu.phone(n, answer_after=1)
    yield harness
    harness.close()


def _coach(h, target, room="Room", action=True):
    act = f' action="{h.url("/action")}"' if action else ""
    twiml = (f'<Response><Dial{act}><Conference coach="{target}">{room}</Conference></Dial>'
             '<Say>Next verb.</Say></Response>')
    call = h.client.calls.create(to=COACH, from_="+15550100000", twiml=twiml)
    h.emu.advance(3)
    return call.sid


def _part_sids(h, conf_sid):
    return {p.call_sid for p in h.client.conferences(conf_sid).participants.list()}


def test_coach_of_a_connected_participant_in_a_started_conference_joins(h):
    a = h.add("Room", A)
    h.add("Room", B)
    h.emu.advance(3)
    sid = _coach(h, a.call_sid)
    assert sid in _part_sids(h, a.conference_sid)
    assert h.received.params("/action") == []
    assert 13240 not in {x["code"] for x in h.emu.alerts()}


@pytest.mark.parametrize("case", ["not-started", "unknown-call", "other-room", "no-room"])
def test_bad_coach_target_fails_the_dial_to_its_action(h, case):
    a = h.add("Room", A)
    if case != "not-started":
        h.add("Room", B)
    h.add("Elsewhere", COACH.replace("3", "4"))
    h.emu.advance(3)
    target = {"unknown-call": "CA" + "0" * 32}.get(case, a.call_sid)
    room = {"other-room": "Elsewhere", "no-room": "Nowhere"}.get(case, "Room")
    sid = _coach(h, target, room=room)
    [action] = h.received.params("/action")
    assert action["DialCallStatus"] == "failed" and action["CallSid"] == sid
    assert sid not in _part_sids(h, a.conference_sid)
    assert 13240 in {x["code"] for x in h.emu.alerts()}


def test_bad_coach_without_action_runs_the_next_verb(h):
    a = h.add("Room", A)
    h.emu.advance(3)  # alone: the conference has not started
    sid = _coach(h, a.call_sid, action=False)
    from twilio_conf_emulator.store.models import MediaEventRow

    with h.emu.engine.transaction() as db:
        says = [r.data["audio"].get("text") for r in db.query(MediaEventRow).filter(
            MediaEventRow.call_sid == sid, MediaEventRow.kind == "call-play")]
    assert says == ["Next verb."]
