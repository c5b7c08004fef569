"""Every call-progress callback that was asked for is sent, however the leg ends; conference
events of a participant never precede its participant-join."""

import pytest
from engine_harness import Harness

A, B = "+15550000001", "+15550000002"
ALL = ["initiated", "ringing", "answered", "completed"]


@pytest.fixture
def h():
    harness = Harness("inproc")
    yield harness
    harness.close()


def _leave(h):
    return [p for p in h.received.params("/conf") if p["StatusCallbackEvent"] ==
            "participant-leave"]


def test_participant_deleted_while_queued_gets_its_canceled_callback(h):
    h.emu.phone(A, answer_after=5)
    p = h.add("Room", A, status_callback=h.url("/call"))
    h.client.conferences(p.conference_sid).participants(p.call_sid).delete()
    h.emu.advance(30)
    [done] = h.received.params("/call")
    assert done["CallStatus"] == "canceled" and done["CallSid"] == p.call_sid
    assert done["CallDuration"] == "0"
    assert h.client.calls(p.call_sid).fetch().status == "canceled"
    [leave] = _leave(h)
    assert leave["ParticipantCallStatus"] == "canceled"


def test_participant_deleted_while_ringing_gets_every_subscribed_callback(h):
    h.emu.phone(A, answer_after=5)
    p = h.add("Room", A, status_callback=h.url("/call"), status_callback_event=ALL)
    h.emu.advance(2)  # initiated at 0, ringing at 1
    h.client.conferences(p.conference_sid).participants(p.call_sid).delete()
    h.emu.advance(30)
    assert [q["CallStatus"] for q in h.received.params("/call")] == ["initiated", "ringing",
                                                                    "canceled"]
    assert h.received.params("/call")[-1]["SipResponseCode"] == "487"


def test_no_final_callback_is_lost_in_a_busy_room(h):
    """Many participants, removed at every phase of their legs: one final callback each."""
    sids = []
    for i in range(24):
        number = f"+1555010{i:04d}"
        h.emu.phone(number, answer_after=1 + i % 4)
        p = h.add("Busy", number, status_callback=h.url("/call"))
        sids.append(p.call_sid)
        if i % 3 == 0:
            h.client.conferences(p.conference_sid).participants(p.call_sid).delete()
        h.emu.advance(0.5)
    h.emu.advance(10)
    for conf in h.client.conferences.list(friendly_name="Busy"):
        if conf.status != "completed":
            conf.update(status="completed")
    h.emu.advance(5)
    finals = {}
    for q in h.received.params("/call"):
        finals.setdefault(q["CallSid"], []).append(q["CallStatus"])
    assert sorted(finals) == sorted(sids)
    assert all(len(v) == 1 for v in finals.values())
    assert {v[0] for v in finals.values()} <= {"canceled", "completed"}
    assert "canceled" in {v[0] for v in finals.values()}


def test_mute_and_hold_before_join_never_precede_participant_join(h):
    h.emu.phone(A, answer_after=3)
    h.emu.phone(B, answer_after=1)
    p = h.add("Room", A)
    h.add("Room", B)
    h.emu.advance(1.5)
    part = h.client.conferences(p.conference_sid).participants(p.call_sid)
    part.update(muted=True)
    part.update(hold=True)
    h.emu.advance(10)
    events = [(q["StatusCallbackEvent"], q.get("CallSid")) for q in h.received.params("/conf")]
    mine = [e for e, sid in events if sid == p.call_sid]
    assert mine[0] == "participant-join"
    join = [q for q in h.received.params("/conf") if q["StatusCallbackEvent"] ==
            "participant-join" and q["CallSid"] == p.call_sid][0]
    assert join["Muted"] == "true" and join["Hold"] == "true"
    fetched = part.fetch()
    assert fetched.muted is True and fetched.hold is True
