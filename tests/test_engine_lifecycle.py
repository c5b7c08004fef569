"""Conference lifecycle through twilio-python, in-process and against ``serve``
(reference §1, §2, §4.1): joins and start, the end paths with their reasons, moderated
conferences, one active conference per name, first participant's settings, capacity."""

import email.utils

import pytest
from engine_harness import BACKENDS, Harness
from twilio.base.exceptions import TwilioRestException

A, B, C = "+15550000001", "+15550000002", "+15550000003"


@pytest.fixture(params=BACKENDS)
def h(request):
    harness = Harness(request.param)
    yield harness
    harness.close()


def test_two_participants_connect_start_and_end_with_signed_rising_callbacks(h):
    h.emu.phone(A, answer_after=1, hangup_after=30)
    h.emu.phone(B, answer_after=1, hangup_after=40)
    pa = h.add("Room", A)
    pb = h.add("Room", B)
    assert pa.status == pb.status == "queued"
    assert pa.conference_sid == pb.conference_sid
    h.emu.advance(5)

    conf = h.client.conferences(pa.conference_sid).fetch()
    assert conf.status == "in-progress"
    assert conf.friendly_name == "Room"
    parts = h.client.conferences(conf.sid).participants.list()
    assert sorted(p.call_sid for p in parts) == sorted([pa.call_sid, pb.call_sid])
    assert {p.status for p in parts} == {"connected"}
    assert h.conf_events() == ["participant-join", "participant-join", "conference-start"]

    h.emu.advance(60)
    assert h.conf_events() == ["participant-join", "participant-join", "conference-start",
                               "participant-leave", "participant-leave", "conference-end"]
    sent = h.received.kind("/conf")
    assert all(r["valid"] for r in sent), "every callback's X-Twilio-Signature validates"
    assert all(r["method"] == "POST" for r in sent)
    params = [r["params"] for r in sent]
    assert [int(p["SequenceNumber"]) for p in params] == list(range(1, 7))
    for p in params:
        assert p["ConferenceSid"] == conf.sid
        assert p["FriendlyName"] == "Room"
        assert p["AccountSid"] == h.emu.account_sid
        assert email.utils.parsedate_to_datetime(p["Timestamp"]).tzinfo is not None
    join_a, join_b, start, leave_a, leave_b, end = params
    assert join_a["CallSid"] == pa.call_sid and join_b["CallSid"] == pb.call_sid
    for p in (join_a, join_b, leave_a, leave_b):
        assert {k: p[k] for k in ("Muted", "Hold", "Coaching", "EndConferenceOnExit",
                                  "StartConferenceOnEnter")} == {
            "Muted": "false", "Hold": "false", "Coaching": "false",
            "EndConferenceOnExit": "false", "StartConferenceOnEnter": "true"}
    assert "CallSid" not in start
    # Timestamps follow the virtual clock: answered 2 s after create, hung up 30 s later.
    t_join = email.utils.parsedate_to_datetime(join_a["Timestamp"])
    t_leave = email.utils.parsedate_to_datetime(leave_a["Timestamp"])
    assert (t_leave - t_join).total_seconds() == 30
    assert leave_a["CallSid"] == pa.call_sid
    assert leave_a["ReasonParticipantLeft"] == "participant_hung_up"
    assert leave_a["ParticipantCallStatus"] == "completed"
    assert leave_b["ReasonParticipantLeft"] == "participant_hung_up"
    assert end["ReasonConferenceEnded"] == "last-participant-left"
    assert end["CallSidEndingConference"] == pb.call_sid

    conf = h.client.conferences(conf.sid).fetch()
    assert conf.status == "completed"
    assert conf.reason_conference_ended == "last-participant-left"
    assert conf.call_sid_ending_conference == pb.call_sid
    assert h.client.calls(pa.call_sid).fetch().status == "completed"


def test_only_subscribed_events_are_sent_default_start_end(h):
    h.emu.phone(A, hangup_after=10)
    h.emu.phone(B, hangup_after=10)
    h.client.conferences("Defaults").participants.create(
        from_="+15550100000", to=A, conference_status_callback=h.url("/conf"))
    h.client.conferences("Defaults").participants.create(from_="+15550100000", to=B)
    h.emu.advance(30)
    assert h.conf_events() == ["conference-start", "conference-end"]


def _three(h, name="Room", moderator_phone=None):
    if moderator_phone:
        h.emu.phone(A, **moderator_phone)
    mod = h.add(name, A, end_conference_on_exit=True)
    p2 = h.add(name, B)
    p3 = h.add(name, C)
    h.emu.advance(5)
    return mod, p2, p3


def _leaves(h):
    return {p["CallSid"]: p["ReasonParticipantLeft"]
            for p in h.received.params("/conf")
            if p["StatusCallbackEvent"] == "participant-leave"}


def _end(h):
    ends = [p for p in h.received.params("/conf") if p["StatusCallbackEvent"] == "conference-end"]
    assert len(ends) == 1
    return ends[0]


def test_api_end_removes_everyone(h):
    mod, p2, p3 = _three(h)
    conf = h.client.conferences(mod.conference_sid).update(status="completed")
    assert conf.status == "completed"
    h.emu.advance(1)
    conf = h.client.conferences(mod.conference_sid).fetch()
    assert conf.reason_conference_ended == "conference-ended-via-api"
    assert conf.call_sid_ending_conference is None
    assert _leaves(h) == {s: "conference_ended_via_api"
                          for s in (mod.call_sid, p2.call_sid, p3.call_sid)}
    end = _end(h)
    assert end["ReasonConferenceEnded"] == "conference-ended-via-api"
    assert "CallSidEndingConference" not in end
    assert h.conf_events()[-1] == "conference-end"
    assert h.client.conferences(conf.sid).participants.list() == []
    assert {h.client.calls(s).fetch().status for s in (mod.call_sid, p2.call_sid)} == {
        "completed"}


def test_end_conference_on_exit_moderator_leaving_ends_it(h):
    mod, p2, p3 = _three(h, moderator_phone={"hangup_after": 20})
    h.emu.advance(30)
    conf = h.client.conferences(mod.conference_sid).fetch()
    assert conf.status == "completed"
    assert conf.reason_conference_ended == "participant-with-end-conference-on-exit-left"
    assert conf.call_sid_ending_conference == mod.call_sid
    assert _leaves(h) == {mod.call_sid: "participant_hung_up",
                          p2.call_sid: "moderator_ended_conference",
                          p3.call_sid: "moderator_ended_conference"}
    # The leaver first, then the others in join order, then the end.
    assert [p.get("CallSid") for p in h.received.params("/conf")][-4:] == [
        mod.call_sid, p2.call_sid, p3.call_sid, None]
    end = _end(h)
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["CallSidEndingConference"] == mod.call_sid


def test_end_conference_on_exit_moderator_kicked_ends_it(h):
    mod, p2, p3 = _three(h)
    assert h.client.conferences(mod.conference_sid).participants(mod.call_sid).delete() is True
    h.emu.advance(1)
    conf = h.client.conferences(mod.conference_sid).fetch()
    assert conf.reason_conference_ended == "participant-with-end-conference-on-exit-kicked"
    assert conf.call_sid_ending_conference == mod.call_sid
    assert _leaves(h) == {mod.call_sid: "participant_updated_via_api",
                          p2.call_sid: "moderator_ended_conference",
                          p3.call_sid: "moderator_ended_conference"}
    assert _end(h)["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-kicked"


def test_kicking_the_last_participant(h):
    pa, pb = h.add("Room", A), h.add("Room", B)
    h.emu.advance(5)
    h.client.conferences(pa.conference_sid).participants(pa.call_sid).delete()
    h.emu.advance(1)
    assert h.client.conferences(pa.conference_sid).fetch().status == "in-progress"
    h.client.conferences(pa.conference_sid).participants(pb.call_sid).delete()
    h.emu.advance(1)
    conf = h.client.conferences(pa.conference_sid).fetch()
    assert conf.reason_conference_ended == "last-participant-kicked"
    assert conf.call_sid_ending_conference == pb.call_sid
    assert _leaves(h) == {pa.call_sid: "participant_updated_via_api",
                          pb.call_sid: "participant_updated_via_api"}
    assert _end(h)["CallSidEndingConference"] == pb.call_sid


def test_moderated_conference_waits_for_the_moderator(h):
    l1 = h.add("Class", A, start_conference_on_enter=False)
    h.add("Class", B, start_conference_on_enter=False)
    h.emu.advance(10)
    conf = h.client.conferences(l1.conference_sid).fetch()
    assert conf.status == "init"
    parts = h.client.conferences(conf.sid).participants.list()
    assert [p.status for p in parts] == ["connected", "connected"]
    assert all(p.start_conference_on_enter is False for p in parts)
    assert "conference-start" not in h.conf_events()
    h.add("Class", C)  # the moderator (startConferenceOnEnter defaults to true)
    h.emu.advance(5)
    assert h.client.conferences(conf.sid).fetch().status == "in-progress"
    assert h.conf_events() == ["participant-join"] * 3 + ["conference-start"]


def test_a_lone_participant_never_starts_the_conference(h):
    pa = h.add("Alone", A)
    h.emu.advance(30)
    assert h.client.conferences(pa.conference_sid).fetch().status == "init"
    assert h.client.conferences.list(friendly_name="Alone", status="in-progress") == []


def test_one_active_conference_per_name_and_a_new_sid_after_completion(h):
    h.emu.phone(A, hangup_after=5)
    h.emu.phone(B, hangup_after=5)
    first_a = h.add("Daily", A)
    first_b = h.add("Daily", B)
    assert first_a.conference_sid == first_b.conference_sid
    h.emu.advance(20)
    assert h.client.conferences(first_a.conference_sid).fetch().status == "completed"
    again = h.add("Daily", C)
    assert again.conference_sid != first_a.conference_sid
    confs = h.client.conferences.list(friendly_name="Daily")
    assert sorted(c.status for c in confs) == ["completed", "init"]
    # Adding by the SID of a completed conference fails.
    with pytest.raises(TwilioRestException) as err:
        h.add(first_a.conference_sid, A)
    assert err.value.code == 16022


def test_first_participants_conference_settings_win(h):
    h.emu.phone(B, hangup_after=10)
    h.emu.phone(A, hangup_after=10)
    h.add("Room", A, events=("start", "end"), conference_status_callback_method="GET")
    h.add("Room", B, events=("join", "leave"), conference_status_callback=h.url("/other"))
    h.emu.advance(30)
    assert h.received.kind("/other") == []
    assert h.conf_events() == ["conference-start", "conference-end"]
    assert {r["method"] for r in h.received.kind("/conf")} == {"GET"}
    assert all(r["valid"] for r in h.received.kind("/conf"))


def test_max_participants_16020(h):
    h.add("Small", A, max_participants=2)
    h.add("Small", B)
    with pytest.raises(TwilioRestException) as err:
        h.add("Small", C)
    assert err.value.code == 16020
    assert err.value.status == 400


def test_a_participant_that_left_is_404_and_unlisted_and_queue_time(h):
    h.emu.phone(A, hangup_after=10)
    pa = h.add("Room", A)
    pb = h.add("Room", B)
    h.add("Room", C)
    assert pa.queue_time == "1000"
    h.emu.advance(5)
    fetched = h.client.conferences(pa.conference_sid).participants(pa.call_sid).fetch()
    assert fetched.queue_time is None
    assert fetched.status == "connected"
    h.emu.advance(10)
    listed = [p.call_sid for p in h.client.conferences(pa.conference_sid).participants.list()]
    assert pa.call_sid not in listed and pb.call_sid in listed
    with pytest.raises(TwilioRestException) as err:
        h.client.conferences(pa.conference_sid).participants(pa.call_sid).fetch()
    assert err.value.status == 404 and err.value.code == 20404
    with pytest.raises(TwilioRestException) as err:
        h.client.conferences(pa.conference_sid).participants(pa.call_sid).update(muted=True)
    assert err.value.status == 404


def test_labels_address_participants_and_are_unique_among_active_ones(h):
    h.emu.phone(A, hangup_after=10)
    h.add("Room", A, label="agent")
    h.add("Room", B)
    conf_sid = h.add("Room", C).conference_sid
    with pytest.raises(TwilioRestException) as err:
        h.add("Room", "+15550000009", label="agent")
    assert err.value.code == 16026
    h.emu.advance(5)
    assert h.client.conferences(conf_sid).participants("agent").fetch().label == "agent"
    h.emu.advance(10)  # the agent hangs up: the label is free again
    again = h.add("Room", "+15550000009", label="agent")
    assert again.label == "agent"
