"""Done-when 1 of issue 10: a caller is enqueued with <Enqueue workflowSid>, the assignment
callback answers ``conference``, the worker's virtual phone answers, and both talk in a
conference named by the Task SID whose SIDs the Task's attributes carry (seed 004)."""

import io
import json

import soundfile as sf
from audio_helpers import RATE
from taskrouter_helpers import AGENTS, CUSTOMER, SUPPORT, build, event_types, wav

from twilio_conf_emulator.media.analysis import band_rms


def heard(emu, sid):
    x, rate = sf.read(io.BytesIO(emu.call_audio(sid)), dtype="int16")
    assert rate == RATE
    return x


def connect(emu, tmp_path):
    centre = build(emu, tmp_path, answer="conference")
    customer = emu.call(CUSTOMER, SUPPORT, audio=wav(tmp_path, "customer.wav", 440))
    emu.advance(10)
    task = centre["tr"].tasks.list()[0]
    return centre, customer, task.fetch()


def test_conference_instruction_connects_caller_and_worker_in_a_room_named_by_the_task(
        emu, tmp_path):
    centre, customer, task = connect(emu, tmp_path)
    attrs = json.loads(task.attributes)
    conf = emu.client.conferences.list(friendly_name=task.sid)[0]
    worker_leg = attrs["conference"]["participants"]["worker"]
    assert attrs["conference"] == {"room_name": task.sid, "sid": conf.sid, "participants": {
        "worker": worker_leg, "customer": customer}}
    # The call's attributes, as in the seed's example Task, with the <Task> JSON merged in.
    assert attrs["call_sid"] == customer and attrs["from"] == CUSTOMER
    assert attrs["to"] == SUPPORT and attrs["direction"] == "inbound"
    assert attrs["account_sid"] == emu.account_sid and attrs["selected_language"] == "en"
    assert attrs["api_version"] == "2010-04-01" and attrs["called"] == SUPPORT
    assert task.assignment_status == "assigned" and task.priority == 5
    res = centre["tr"].tasks(task.sid).reservations.list()
    assert [(r.reservation_status, r.worker_name) for r in res] == [("accepted", "alice")]
    parts = {p.call_sid for p in emu.client.conferences(conf.sid).participants.list()}
    assert parts == {customer, worker_leg}
    assert emu.client.conferences(conf.sid).fetch().status == "in-progress"
    leg = emu.client.calls(worker_leg).fetch()
    assert leg.to == AGENTS["alice"] and leg._from == SUPPORT
    assign = centre["assignments"][0]
    assert assign["TaskSid"] == task.sid and assign["WorkerSid"] == centre["workers"]["alice"]
    assert json.loads(assign["WorkerAttributes"])["contact_uri"] == AGENTS["alice"]
    assert event_types(emu)[:5] == ["worker.created", "task.created", "task-queue.entered",
                                    "reservation.created", "reservation.accepted"]


def test_caller_and_worker_hear_each_other(emu, tmp_path):
    centre, customer, task = connect(emu, tmp_path)
    emu.advance(10)
    worker_leg = json.loads(task.attributes)["conference"]["participants"]["worker"]
    a, b = heard(emu, customer), heard(emu, worker_leg)
    # The customer heard the wait music (300 Hz) while queued, then the worker (700 Hz).
    assert band_rms(a[:2 * RATE], 300) > 500
    assert band_rms(a[-8 * RATE:], 700) > 500 and band_rms(a[-8 * RATE:], 300) < 1
    assert band_rms(a[-8 * RATE:], 440) < 1           # never itself
    assert band_rms(b[-8 * RATE:], 440) > 500         # the worker hears the customer
    assert band_rms(b, 700) < 1


def test_wrapping_post_work_activity_and_completion(emu, tmp_path):
    centre, customer, task = connect(emu, tmp_path)
    worker_leg = json.loads(task.attributes)["conference"]["participants"]["worker"]
    emu.hangup(worker_leg)
    emu.advance(1)
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "wrapping"
    res = centre["tr"].tasks(task.sid).reservations.list()[0]
    assert res.reservation_status == "wrapping"
    worker = centre["tr"].workers(centre["workers"]["alice"]).fetch()
    assert worker.activity_name == "Offline" and worker.available is False
    done = centre["tr"].tasks(task.sid).update(assignment_status="completed", reason="resolved")
    assert done.assignment_status == "completed" and done.reason == "resolved"
    assert centre["tr"].tasks(task.sid).reservations(res.sid).fetch().reservation_status == \
        "completed"
    emu.advance(0)
    types = event_types(emu)
    assert types.index("task.wrapup") < types.index("task.completed")
    assert "reservation.completed" in types


def test_events_are_signed_for_the_account(emu, tmp_path):
    from twilio.request_validator import RequestValidator

    connect(emu, tmp_path)
    validator = RequestValidator(emu.auth_token)
    entries = emu.webhooks.all(kind="taskrouter-event")
    assert entries
    for e in entries:
        assert validator.validate(e["url"], dict(e["params"]), e["signature"])


def test_same_scenario_twice_gives_the_same_journal_and_audio(tmp_path):
    from twilio_conf_emulator import Emulator

    journals = []
    for _ in range(2):
        emu = Emulator()
        _, customer, _ = connect(emu, tmp_path)
        journals.append([(e["time"], e["kind"], e["url"], e["params"])
                         for e in emu.webhooks.all()] + [emu.call_audio(customer)])
        emu.stop()
    assert len(journals[0]) > 5
    assert journals[0] == journals[1]
