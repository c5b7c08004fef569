"""Participant controls through twilio-python, in-process and against ``serve``
(reference §1.4, §1.7, §2.3, §4.1, §5.3): mute, hold, coach, modify, announce."""

import pytest
from engine_harness import BACKENDS, Harness
from twilio.base.exceptions import TwilioRestException

A, B, C = "+15550000001", "+15550000002", "+15550000003"
PAUSE_3S = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="3"/></Response>'
DIAL = '<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+15551112222</Dial></Response>'


@pytest.fixture(params=BACKENDS)
def h(request):
    harness = Harness(request.param)
    yield harness
    harness.close()


@pytest.fixture
def room(h):
    pa, pb = h.add("Room", A), h.add("Room", B)
    h.emu.advance(5)
    h.received.clear()
    return h, pa.conference_sid, pa, pb


def _twiml(body):
    return lambda req: (body, 200, {"Content-Type": "text/xml"})


def test_mute_and_muted_yes_unmutes(room):
    h, conf, pa, _ = room
    part = h.client.conferences(conf).participants(pa.call_sid).update(muted=True)
    assert part.muted is True
    h.emu.advance(0)
    assert h.client.conferences(conf).participants.list(muted=True)[0].call_sid == pa.call_sid
    part = h.client.conferences(conf).participants(pa.call_sid).update(muted="yes")
    assert part.muted is False  # "any value other than true or false is interpreted as false"
    h.emu.advance(0)
    events = h.received.params("/conf")
    assert [(e["StatusCallbackEvent"], e["Muted"], e["CallSid"]) for e in events] == [
        ("participant-mute", "true", pa.call_sid), ("participant-unmute", "false", pa.call_sid)]


def test_hold_fetches_the_hold_url_with_get_by_default_then_unhold(room):
    h, conf, pa, _ = room
    h.handlers["/hold"] = _twiml(PAUSE_3S)
    part = h.client.conferences(conf).participants(pa.call_sid).update(
        hold=True, hold_url=h.url("/hold"))
    assert part.hold is True
    h.emu.advance(0)
    fetches = h.received.kind("/hold")
    assert len(fetches) == 1
    assert fetches[0]["method"] == "GET" and fetches[0]["valid"]
    assert fetches[0]["params"]["CallSid"] == pa.call_sid
    h.client.conferences(conf).participants(pa.call_sid).update(hold=False)
    h.emu.advance(0)
    assert [(e["StatusCallbackEvent"], e["Hold"]) for e in h.received.params("/conf")] == [
        ("participant-hold", "true"), ("participant-unhold", "false")]
    assert h.client.conferences(conf).participants(pa.call_sid).fetch().hold is False


def test_hold_method_post_is_honoured(room):
    h, conf, pa, _ = room
    h.handlers["/hold"] = _twiml(PAUSE_3S)
    h.client.conferences(conf).participants(pa.call_sid).update(
        hold=True, hold_url=h.url("/hold"), hold_method="POST")
    h.emu.advance(0)
    assert [r["method"] for r in h.received.kind("/hold")] == ["POST"]
    assert h.received.kind("/hold")[0]["valid"]


def test_coaching_a_participant_and_its_errors(room):
    h, conf, pa, pb = room
    coach = h.add(conf, C)
    h.emu.advance(5)
    h.received.clear()
    part = h.client.conferences(conf).participants(coach.call_sid).update(
        coaching=True, call_sid_to_coach=pa.call_sid)
    assert part.coaching is True and part.call_sid_to_coach == pa.call_sid
    h.emu.advance(0)
    modify = h.received.params("/conf")
    assert [(e["StatusCallbackEvent"], e["Coaching"], e["CallSid"]) for e in modify] == [
        ("participant-modify", "true", coach.call_sid)]
    # 16028: the participant to coach is not in the conference.
    with pytest.raises(TwilioRestException) as err:
        h.client.conferences(conf).participants(coach.call_sid).update(
            coaching=True, call_sid_to_coach="CA" + "0" * 32)
    assert err.value.code == 16028
    # 16027: it is on hold.
    h.client.conferences(conf).participants(pb.call_sid).update(hold=True)
    with pytest.raises(TwilioRestException) as err:
        h.client.conferences(conf).participants(coach.call_sid).update(
            coaching=True, call_sid_to_coach=pb.call_sid)
    assert err.value.code == 16027
    with pytest.raises(TwilioRestException) as err:
        h.add(conf, "+15550000009", coaching=True, call_sid_to_coach=pb.call_sid)
    assert err.value.code == 16027
    assert h.client.conferences(conf).participants(coach.call_sid).fetch().call_sid_to_coach \
        == pa.call_sid


@pytest.mark.parametrize("change", [
    {"beep_on_exit": False},
    {"end_conference_on_exit": True},
    {"wait_url": ""},
])
def test_modify_events(room, change):
    h, conf, pa, _ = room
    part = h.client.conferences(conf).participants(pa.call_sid).update(**change)
    h.emu.advance(0)
    events = h.received.params("/conf")
    assert [e["StatusCallbackEvent"] for e in events] == ["participant-modify"]
    assert events[0]["CallSid"] == pa.call_sid
    if "end_conference_on_exit" in change:
        assert part.end_conference_on_exit is True
        assert events[0]["EndConferenceOnExit"] == "true"
    # The same value again changes nothing and sends nothing.
    h.client.conferences(conf).participants(pa.call_sid).update(**change)
    h.emu.advance(0)
    assert len(h.received.params("/conf")) == 1


def test_announce_to_the_conference_ends_when_its_audio_has_played(room):
    h, conf, _, _ = room
    h.handlers["/announce"] = _twiml(PAUSE_3S)
    h.client.conferences(conf).update(announce_url=h.url("/announce"))
    h.emu.advance(0)
    fetch = h.received.kind("/announce")
    assert [r["method"] for r in fetch] == ["POST"] and fetch[0]["valid"]
    h.emu.advance(2.9)
    assert h.conf_events() == []
    h.emu.advance(0.1)
    events = h.received.params("/conf")
    assert [e["StatusCallbackEvent"] for e in events] == ["announcement-end"]
    assert events[0]["AnnounceUrl"] == h.url("/announce")
    assert "CallSid" not in events[0]


def test_announce_to_one_participant(room):
    h, conf, _, pb = room
    h.handlers["/announce"] = _twiml(PAUSE_3S)
    h.client.conferences(conf).participants(pb.call_sid).update(
        announce_url=h.url("/announce"), announce_method="GET")
    h.emu.advance(3)
    assert [r["method"] for r in h.received.kind("/announce")] == ["GET"]
    assert h.received.kind("/announce")[0]["params"]["CallSid"] == pb.call_sid
    events = h.received.params("/conf")
    assert [(e["StatusCallbackEvent"], e["CallSid"]) for e in events] == [
        ("announcement-end", pb.call_sid)]


def test_announcement_with_a_forbidden_verb_fails_13238(room):
    h, conf, _, _ = room
    h.handlers["/announce"] = _twiml(DIAL)
    h.client.conferences(conf).update(announce_url=h.url("/announce"))
    h.emu.advance(5)
    events = h.received.params("/conf")
    assert [e["StatusCallbackEvent"] for e in events] == ["announcement-fail"]
    assert events[0]["ReasonAnnouncementFailed"]
    assert 13238 in [a["code"] for a in h.emu.alerts()]
    assert h.client.conferences(conf).fetch().status == "in-progress"


def test_announce_before_the_conference_starts_is_refused(h):
    pa = h.add("Lonely", A)
    h.emu.advance(5)
    with pytest.raises(TwilioRestException) as err:
        h.client.conferences(pa.conference_sid).update(announce_url=h.url("/announce"))
    assert err.value.code == 16001
