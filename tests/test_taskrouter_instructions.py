"""Assignment-callback instructions besides ``conference``: accept, dequeue, call, redirect;
the fallback assignment URL; a worker who does not answer the conference leg."""

import json

import pytest
from taskrouter_helpers import AGENTS, CUSTOMER, SUPPORT, build, event_types
from twilio.base.exceptions import TwilioRestException

from twilio_conf_emulator.config import EmulatorConfig


def enqueue(emu, tmp_path, answer, **kw):
    centre = build(emu, tmp_path, answer=answer, **kw)
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(6)
    task = centre["tr"].tasks.list()[0]
    return centre, customer, task


def test_accept_instruction(emu, tmp_path):
    centre, _, task = enqueue(emu, tmp_path, {"instruction": "accept"})
    assert task.assignment_status == "assigned"
    assert [r.reservation_status for r in centre["tr"].tasks(task.sid).reservations.list()] \
        == ["accepted"]


def test_dequeue_bridges_the_caller_to_the_worker(emu, tmp_path):
    centre, customer, task = enqueue(emu, tmp_path, {
        "instruction": "dequeue", "from": SUPPORT})
    leg = emu.client.calls.list(parent_call_sid=customer)
    assert [(c.to, c.status) for c in leg] == [(AGENTS["alice"], "in-progress")]
    assert task.assignment_status == "assigned"


def test_call_instruction_places_a_call_to_the_worker(emu, tmp_path):
    centre, customer, task = enqueue(emu, tmp_path, {
        "instruction": "call", "from": SUPPORT, "url": "http://app.test/agent-twiml",
        "call_accept": "true"})
    legs = emu.client.calls.list(to=AGENTS["alice"])
    assert len(legs) == 1 and legs[0].direction == "outbound-api"
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "assigned"


def test_redirect_instruction_moves_the_call(emu, tmp_path):
    centre = build(emu, tmp_path, answer=None)
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(6)
    task = centre["tr"].tasks.list()[0]
    res = centre["tr"].tasks(task.sid).reservations.list()[0]
    centre["tr"].tasks(task.sid).reservations(res.sid).update(
        instruction="redirect", redirect_call_sid=customer,
        redirect_url="http://app.test/elsewhere", redirect_accept=True)
    emu.advance(1)
    assert emu.webhooks.all(kind="redirect")[0]["url"] == "http://app.test/elsewhere"
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "assigned"


def test_fallback_assignment_callback_url(emu, tmp_path):
    centre = build(emu, tmp_path, answer={"instruction": "accept"})
    flow = centre["tr"].workflows(centre["workflow"])
    flow.update(assignment_callback_url="http://app.test/broken",
                fallback_assignment_callback_url="http://app.test/assign")
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(6)
    urls = [e["url"] for e in emu.webhooks.all(kind="taskrouter-assignment")]
    assert urls[-1] == "http://app.test/assign" and len(urls) == 2
    assert centre["tr"].tasks.list()[0].assignment_status == "assigned"


@pytest.mark.parametrize("setting, status", [("rejected", "rejected"), ("timeout", "timeout"),
                                             ("canceled", "canceled")])
def test_worker_not_answering_the_conference_leg(tmp_path, setting, status):
    from twilio_conf_emulator import Emulator

    emu = Emulator(config=EmulatorConfig(strict_actions=True,
                                         taskrouter_worker_no_answer=setting))
    try:
        centre = build(emu, tmp_path, answer="conference")
        emu.phone(AGENTS["alice"], outcome="busy")
        emu.call(CUSTOMER, SUPPORT)
        emu.advance(10)
        task = centre["tr"].tasks.list()[0]
        res = centre["tr"].tasks(task.sid).reservations.list()
        assert res[0].reservation_status == status
        assert f"reservation.{status}" in event_types(emu)
        # Offered on: not to her again after rejecting, nor once she is Offline (the
        # TimeoutActivity); a canceled reservation leaves her available, so it comes back.
        worker = centre["tr"].workers(centre["workers"]["alice"]).fetch()
        assert worker.activity_name == ("Offline" if setting == "timeout" else "Available")
        assert (len(res) > 1) is (setting == "canceled")
        assert task.assignment_status in ("pending", "reserved")
    finally:
        emu.stop()


@pytest.mark.parametrize("answer, code", [({"instruction": "teleport"}, 20001),
                                          ("not json", 40001),
                                          ({"instruction": "conference", "to": ""}, 20001)])
def test_a_bad_answer_is_an_alert_and_the_reservation_stays_pending(emu, tmp_path, answer,
                                                                    code):
    centre = build(emu, tmp_path, answer=answer)
    if isinstance(answer, dict) and "to" in answer:
        # no To and no contact_uri: the conference instruction cannot reach the worker
        centre["tr"].workers(centre["workers"]["alice"]).update(attributes='{"languages": ["en"]}')
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(6)
    task = centre["tr"].tasks.list()[0]
    assert [r.reservation_status for r in centre["tr"].tasks(task.sid).reservations.list()] \
        == ["pending"]
    assert [a["code"] for a in emu.alerts() if a["level"] == "error"] == [code]


def test_task_attributes_are_json_in_the_event(emu, tmp_path):
    centre, customer, task = enqueue(emu, tmp_path, {"instruction": "accept"})
    created = [dict(e["params"]) for e in emu.webhooks.all(kind="taskrouter-event")
               if dict(e["params"])["EventType"] == "task.created"][0]
    assert json.loads(created["TaskAttributes"])["call_sid"] == customer


@pytest.mark.parametrize("answer", [
    {"instruction": "conference", "to": ["+1"], "from": SUPPORT},
    {"instruction": "conference", "from": {"a": 1}},
    {"instruction": "conference", "timeout": "soon"},
    {"instruction": "conference", "from": 15550200000, "timeout": 20, "early_media": False,
     "status_callback_event": ["ringing", 7, None]},
    {"instruction": "conference", "beep_on_customer_entrance": "maybe"},
    {"instruction": "conference", "conference_status_callback_event": "start nonsense"},
    {"instruction": "dequeue", "dequeue_timeout": -5},
    {"instruction": "call"},
    {"instruction": "redirect", "redirect_call_sid": "CA" + "0" * 32, "redirect_url": "/x"},
    {"instruction": None}, ["conference"], "null", "",
])
def test_junk_answers_never_break_the_engine(emu, tmp_path, answer, recwarn):
    centre = build(emu, tmp_path, answer=answer if not isinstance(answer, list) else "[1]")
    emu.call(CUSTOMER, SUPPORT)
    emu.advance(10)   # strict_actions: an action that raised would fail the test here
    assert [a for a in emu.alerts() if a["code"] == 20500] == []
    task = centre["tr"].tasks.list()[0]
    assert task.assignment_status in ("pending", "reserved", "assigned")
    assert [str(w.message) for w in recwarn if "sqlalchemy" in type(w.message).__module__] == []
    if isinstance(answer, dict) and answer.get("beep_on_customer_entrance") == "maybe":
        assert emu.client.calls.list(to=AGENTS["alice"]) == []  # refused before dialling


def test_the_worker_answers_its_own_reservation_with_a_conference(emu, tmp_path):
    centre = build(emu, tmp_path, answer=None)
    customer = emu.call(CUSTOMER, SUPPORT)
    emu.advance(5)
    alice = centre["tr"].workers(centre["workers"]["alice"])
    res = alice.reservations.list(reservation_status="pending")[0]
    assert res.url.endswith(f"/Workers/{alice._solution['sid']}/Reservations/{res.sid}")
    alice.reservations(res.sid).update(instruction="conference", from_=SUPPORT)
    emu.advance(5)
    assert alice.reservations(res.sid).fetch().reservation_status == "accepted"
    task = centre["tr"].tasks(res.task_sid).fetch()
    assert json.loads(task.attributes)["conference"]["participants"]["customer"] == customer
    bob_path = centre["tr"].workers.create(friendly_name="zed").reservations(res.sid)
    with pytest.raises(TwilioRestException) as err:
        bob_path.fetch()   # another worker's view of it
    assert (err.value.status, err.value.code) == (404, 20404)
