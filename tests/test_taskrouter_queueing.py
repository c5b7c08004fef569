"""Done-when 3 and 4 of issue 10: waiting in the queue, reservations created at the instant a
worker becomes available, reservation timeouts, rejections, and a caller who hangs up."""

import io
import json

import soundfile as sf
from audio_helpers import RATE
from taskrouter_helpers import CUSTOMER, SUPPORT, build, event_types, events, wav

from twilio_conf_emulator.media.analysis import band_rms


def test_no_worker_caller_waits_hearing_wait_twiml_until_one_is_available(emu, tmp_path):
    centre = build(emu, tmp_path, answer="conference", available=False)
    customer = emu.call(CUSTOMER, SUPPORT, audio=wav(tmp_path, "customer.wav", 440))
    emu.advance(30)
    task = centre["tr"].tasks.list()[0]
    assert task.assignment_status == "pending"
    assert centre["tr"].tasks(task.sid).reservations.list() == []
    assert emu.webhooks.params(kind="enqueue-wait")[0]["CallSid"] == customer
    x, _ = sf.read(io.BytesIO(emu.call_audio(customer)), dtype="int16")
    assert band_rms(x[-10 * RATE:], 300) > 500          # still hearing the wait document
    became = emu.now()
    centre["tr"].workers(centre["workers"]["alice"]).update(
        activity_sid=centre["activities"]["Available"])
    emu.advance(0)
    res = centre["tr"].tasks(task.sid).reservations.list()
    assert [r.worker_name for r in res] == ["alice"]
    assert res[0].date_created.timestamp() == int(became)
    created = [e for e in events(emu) if e["EventType"] == "reservation.created"]
    assert created[0]["Timestamp"] == str(int(became))
    emu.advance(10)
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "assigned"


def test_reservation_timeout_moves_the_task_to_another_worker(emu, tmp_path):
    centre = build(emu, tmp_path, answer=None, reservation_timeout=15,
                   workers=("alice", "bob"))
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    task = centre["tr"].tasks.list()[0]
    first = centre["tr"].tasks(task.sid).reservations.list()
    assert [(r.worker_name, r.reservation_status) for r in first] == [("alice", "pending")]
    emu.advance(15)
    res = {r.worker_name: r.reservation_status
           for r in centre["tr"].tasks(task.sid).reservations.list()}
    assert res == {"alice": "timeout", "bob": "pending"}
    # The worker who let it time out moves to the workspace's timeout activity (Offline).
    assert centre["tr"].workers(centre["workers"]["alice"]).fetch().activity_name == "Offline"
    assert [a["WorkerSid"] for a in centre["assignments"]] == [
        centre["workers"]["alice"], centre["workers"]["bob"]]
    assert "reservation.timeout" in event_types(emu)


def test_rejected_reservation_goes_to_the_next_worker_not_back(emu, tmp_path):
    centre = build(emu, tmp_path, answer={"instruction": "reject"}, workers=("alice", "bob"))
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    task = centre["tr"].tasks.list()[0]
    res = [(r.worker_name, r.reservation_status)
           for r in centre["tr"].tasks(task.sid).reservations.list()]
    assert res == [("alice", "rejected"), ("bob", "rejected")]
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "pending"


def test_reservation_update_with_instruction_conference(emu, tmp_path):
    centre = build(emu, tmp_path, answer=None)
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    task = centre["tr"].tasks.list()[0]
    res = centre["tr"].tasks(task.sid).reservations.list()[0]
    centre["tr"].tasks(task.sid).reservations(res.sid).update(
        instruction="conference", from_=SUPPORT, timeout=20, end_conference_on_customer_exit=True,
        conference_status_callback="http://app.test/conf",
        conference_status_callback_event=["start", "end", "join", "leave"],
        post_work_activity_sid=centre["activities"]["Unavailable"])
    emu.advance(10)
    attrs = json.loads(centre["tr"].tasks(task.sid).fetch().attributes)
    assert attrs["conference"]["participants"]["customer"] == customer
    conf_events = [p["StatusCallbackEvent"] for p in emu.webhooks.params(kind="conference-status")]
    assert conf_events[:3] == ["participant-join", "conference-start", "participant-join"] or \
        conf_events[:3] == ["participant-join", "participant-join", "conference-start"]
    # EndConferenceOnCustomerExit: the customer hanging up ends the room; the task wraps up.
    emu.hangup(customer)
    emu.advance(2)
    assert emu.client.conferences(attrs["conference"]["sid"]).fetch().status == "completed"
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "wrapping"
    worker = centre["tr"].workers(centre["workers"]["alice"]).fetch()
    assert worker.activity_name == "Unavailable"


def test_caller_hanging_up_while_queued_cancels_the_task(emu, tmp_path):
    centre = build(emu, tmp_path, answer="conference", available=False)
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(20)
    emu.hangup(customer)
    emu.advance(1)
    task = centre["tr"].tasks.list()[0]
    assert task.assignment_status == "canceled" and task.reason == "hangup"
    canceled = [e for e in events(emu) if e["EventType"] == "task.canceled"]
    assert canceled[0]["TaskCanceledReason"] == "hangup" and canceled[0]["TaskSid"] == task.sid
    # A worker who becomes available now gets nothing.
    centre["tr"].workers(centre["workers"]["alice"]).update(
        activity_sid=centre["activities"]["Available"])
    emu.advance(5)
    assert centre["tr"].tasks(task.sid).reservations.list() == []


def test_caller_hanging_up_while_the_worker_rings_cancels_both(emu, tmp_path):
    centre = build(emu, tmp_path, answer="conference")
    emu.phone("+15550300001", answer_after=20)
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    emu.hangup(customer)
    emu.advance(1)
    task = centre["tr"].tasks.list()[0]
    assert task.assignment_status == "canceled"
    res = centre["tr"].tasks(task.sid).reservations.list()[0]
    assert res.reservation_status == "canceled"
    legs = emu.client.calls.list(to="+15550300001")
    assert [c.status for c in legs] == ["canceled"]


def test_enqueue_without_workflow_sid_is_skipped_with_a_warning(emu, tmp_path):
    from flask import Flask

    app = Flask(__name__)

    @app.post("/voice")
    def voice():
        return ("<Response><Enqueue>support</Enqueue><Say>No queue here.</Say></Response>", 200,
                {"Content-Type": "text/xml"})

    emu.deliver_webhooks_to(app)
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url="http://app.test/voice")
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(10)
    assert emu.client.calls(customer).fetch().status == "completed"   # the <Say> ran, then end
    warnings = [a for a in emu.alerts() if a["level"] == "warning"]
    assert [a["code"] for a in warnings] == [12200] and "<Enqueue>" in warnings[0]["message"]
    assert emu.client.taskrouter.v1.workspaces.list() == []


def test_the_longest_idle_worker_gets_the_next_task(emu, tmp_path):
    centre = build(emu, tmp_path, answer={"instruction": "accept"}, workers=("alice", "bob"))
    ws = centre["tr"]

    def new_task():
        t = ws.tasks.create(workflow_sid=centre["workflow"],
                            attributes='{"selected_language": "en"}')
        emu.advance(1)
        return t.sid, ws.tasks(t.sid).reservations.list()[0].worker_name

    first, who = new_task()
    assert who == "alice"                       # both idle since creation: alice was first
    emu.advance(30)
    ws.tasks(first).update(assignment_status="completed")
    emu.advance(1)
    _, who = new_task()
    assert who == "bob"                         # alice just finished; bob has waited longer


def test_without_wait_url_the_caller_hears_hold_music(emu, tmp_path):
    centre = build(emu, tmp_path, answer="conference", available=False)
    centre["default_wait"] = True
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(20)
    assert emu.webhooks.all(kind="enqueue-wait") == []
    x, _ = sf.read(io.BytesIO(emu.call_audio(customer)), dtype="int16")
    assert len(x) >= 19 * RATE and abs(x[-10 * RATE:].astype(float)).mean() > 100


def test_max_reserved_workers_offers_at_once_and_rescinds_on_accept(emu, tmp_path):
    centre = build(emu, tmp_path, answer=None, workers=("alice", "bob"))
    centre["tr"].task_queues(centre["queue"]).update(max_reserved_workers=2)
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    task = centre["tr"].tasks.list()[0]
    res = {r.worker_name: r for r in centre["tr"].tasks(task.sid).reservations.list()}
    assert {k: r.reservation_status for k, r in res.items()} == {"alice": "pending",
                                                                 "bob": "pending"}
    centre["tr"].tasks(task.sid).reservations(res["alice"].sid).update(
        reservation_status="rejected")
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "reserved"  # bob's still on
    centre["tr"].tasks(task.sid).reservations(res["bob"].sid).update(
        reservation_status="accepted")
    emu.advance(0)
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "assigned"


def test_accepting_rescinds_the_other_reservations(emu, tmp_path):
    centre = build(emu, tmp_path, answer=None, workers=("alice", "bob"))
    centre["tr"].task_queues(centre["queue"]).update(max_reserved_workers=2)
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    task = centre["tr"].tasks.list()[0]
    res = {r.worker_name: r for r in centre["tr"].tasks(task.sid).reservations.list()}
    centre["tr"].tasks(task.sid).reservations(res["bob"].sid).update(
        reservation_status="accepted")
    emu.advance(0)
    after = {r.worker_name: r.reservation_status
             for r in centre["tr"].tasks(task.sid).reservations.list()}
    assert after == {"alice": "rescinded", "bob": "accepted"}
    assert "reservation.rescinded" in event_types(emu)


def test_completing_with_an_activity_for_a_deleted_worker_is_a_404_not_a_crash(emu, tmp_path):
    """A wrapping reservation's worker may be deleted; WorkerActivitySid on it then names a
    worker that is gone: a Twilio-shaped 404, and the reservation and task stay as they were
    (found while typing the TaskRouter modules: it was an AttributeError, a 500)."""
    from twilio.base.exceptions import TwilioRestException

    centre = build(emu, tmp_path, answer=None)
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    task = centre["tr"].tasks.list()[0]
    reservation = centre["tr"].tasks(task.sid).reservations.list()[0]
    centre["tr"].tasks(task.sid).reservations(reservation.sid).update(reservation_status="accepted")
    centre["tr"].tasks(task.sid).reservations(reservation.sid).update(reservation_status="wrapping")
    centre["tr"].workers(centre["workers"]["alice"]).delete()
    try:
        centre["tr"].tasks(task.sid).reservations(reservation.sid).update(
            reservation_status="completed", worker_activity_sid=centre["activities"]["Available"])
    except TwilioRestException as err:
        assert (err.status, err.code) == (404, 20404)
        assert centre["workers"]["alice"] in err.msg
    else:
        raise AssertionError("a deleted worker's activity was set")
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "wrapping"
    assert centre["tr"].tasks(task.sid).reservations(reservation.sid).fetch() \
        .reservation_status == "wrapping"
