"""Done-when 2 of issue 10: seed 004's flows on the conference the TaskRouter ``conference``
instruction built: hold with HoldUrl, cold and warm transfer to a second worker, and a
supervisor's monitor, whisper (coach) and barge, each joining by the Task SID."""

import io
import json

import pytest
import soundfile as sf
from audio_helpers import RATE
from taskrouter_helpers import AGENTS, CUSTOMER, SUPPORT, build, wav

from twilio_conf_emulator.media.analysis import band_rms

SUPERVISOR = "+15550300009"
CUSTOMER_HZ, ALICE_HZ, BOB_HZ, SUPERVISOR_HZ = 440, 700, 900, 1300


@pytest.fixture
def room(emu, tmp_path):
    centre = build(emu, tmp_path, answer="conference", workers=("alice", "bob"))
    # bob is busy elsewhere: only alice can take the call.
    centre["tr"].workers(centre["workers"]["bob"]).update(
        activity_sid=centre["activities"]["Offline"])
    emu.call(CUSTOMER, SUPPORT, audio=wav(tmp_path, "customer.wav", CUSTOMER_HZ))
    emu.advance(10)
    task = centre["tr"].tasks.list()[0].fetch()
    conf = json.loads(task.attributes)["conference"]
    emu.phone(SUPERVISOR, audio=wav(tmp_path, "sup.wav", SUPERVISOR_HZ), answer_after=1)
    return emu, centre, task, conf


def heard(emu, sid, last):
    x, _ = sf.read(io.BytesIO(emu.call_audio(sid)), dtype="int16")
    return x[-last * RATE:]


def statuses(emu, conf_sid):
    return {p.call_sid: p for p in emu.client.conferences(conf_sid).participants.list()}


def test_hold_the_customer_with_hold_url(room, tmp_path):
    emu, centre, task, conf = room
    music = wav(tmp_path, "music.wav", 500)
    customer = conf["participants"]["customer"]
    emu.client.conferences(conf["sid"]).participants(customer).update(
        hold=True, hold_url=f"http://app.test/hold?wav={music}", hold_method="POST")
    emu.advance(4)
    assert statuses(emu, conf["sid"])[customer].hold is True
    assert band_rms(heard(emu, customer, 3), 500) > 500          # hold music
    assert band_rms(heard(emu, customer, 3), ALICE_HZ) < 1        # not the agent
    emu.client.conferences(conf["sid"]).participants(customer).update(hold=False)
    emu.advance(4)
    assert band_rms(heard(emu, customer, 3), ALICE_HZ) > 500


def test_cold_transfer_to_a_second_worker(room):
    emu, centre, task, conf = room
    parts = emu.client.conferences(conf["sid"]).participants
    customer, alice = conf["participants"]["customer"], conf["participants"]["worker"]
    parts(customer).update(hold=True)
    bob = parts.create(from_=SUPPORT, to=AGENTS["bob"], beep="false")
    parts(alice).delete()          # alice leaves before bob answers: the room stays up
    emu.advance(5)
    parts(customer).update(hold=False)
    emu.advance(5)
    assert set(statuses(emu, conf["sid"])) == {customer, bob.call_sid}
    assert band_rms(heard(emu, customer, 3), BOB_HZ) > 500
    # alice's part of the task is over: the task wraps up, her post-work activity applies.
    assert centre["tr"].tasks(task.sid).fetch().assignment_status == "wrapping"
    assert centre["tr"].workers(centre["workers"]["alice"]).fetch().activity_name == "Offline"


def test_warm_transfer_agent_stays_until_the_second_joins(room):
    emu, centre, task, conf = room
    parts = emu.client.conferences(conf["sid"]).participants
    customer, alice = conf["participants"]["customer"], conf["participants"]["worker"]
    parts(customer).update(hold=True)
    bob = parts.create(from_=SUPPORT, to=AGENTS["bob"], beep="false")
    emu.advance(5)
    assert set(statuses(emu, conf["sid"])) == {customer, alice, bob.call_sid}
    assert band_rms(heard(emu, alice, 2), BOB_HZ) > 500           # the agents talk
    assert band_rms(heard(emu, bob.call_sid, 2), CUSTOMER_HZ) < 1  # customer held
    parts(alice).delete()
    parts(customer).update(hold=False)
    emu.advance(5)
    assert set(statuses(emu, conf["sid"])) == {customer, bob.call_sid}
    assert band_rms(heard(emu, bob.call_sid, 3), CUSTOMER_HZ) > 500


def supervise(emu, task, **conference):
    attrs = " ".join(f'{k}="{v}"' for k, v in conference.items())
    call = emu.client.calls.create(
        to=SUPERVISOR, from_=SUPPORT,
        twiml=f'<Response><Dial><Conference beep="false" {attrs}>{task.sid}</Conference>'
              "</Dial></Response>")
    emu.advance(6)
    return call.sid


def test_supervisor_monitor_hears_both_and_is_not_heard(room):
    emu, centre, task, conf = room
    sup = supervise(emu, task, muted="true")
    customer, alice = conf["participants"]["customer"], conf["participants"]["worker"]
    assert statuses(emu, conf["sid"])[sup].muted is True
    s = heard(emu, sup, 4)
    assert band_rms(s, CUSTOMER_HZ) > 500 and band_rms(s, ALICE_HZ) > 500
    assert band_rms(heard(emu, customer, 4), SUPERVISOR_HZ) < 1
    assert band_rms(heard(emu, alice, 4), SUPERVISOR_HZ) < 1


def test_supervisor_whisper_then_barge(room):
    emu, centre, task, conf = room
    customer, alice = conf["participants"]["customer"], conf["participants"]["worker"]
    sup = supervise(emu, task, coach=alice)
    assert band_rms(heard(emu, alice, 4), SUPERVISOR_HZ) > 500    # the agent is coached
    assert band_rms(heard(emu, customer, 4), SUPERVISOR_HZ) < 1   # the customer is not
    emu.client.conferences(conf["sid"]).participants(sup).update(coaching=False, muted=False)
    emu.advance(5)
    assert band_rms(heard(emu, customer, 3), SUPERVISOR_HZ) > 500  # barge: everyone hears
    assert band_rms(heard(emu, alice, 3), SUPERVISOR_HZ) > 500


@pytest.mark.parametrize("mode", ["monitor", "whisper", "barge"])
def test_supervise_instruction_on_the_reservation(room, mode):
    emu, centre, task, conf = room
    res = centre["tr"].tasks(task.sid).reservations.list()[0]
    centre["tr"].tasks(task.sid).reservations(res.sid).update(
        instruction="supervise", supervisor=SUPERVISOR, supervisor_mode=mode)
    emu.advance(6)
    parts = emu.client.conferences(conf["sid"]).participants
    sup = parts("supervisor").fetch()
    assert sup.muted is (mode == "monitor") and sup.coaching is (mode == "whisper")
    customer, alice = conf["participants"]["customer"], conf["participants"]["worker"]
    assert band_rms(heard(emu, sup.call_sid, 4), CUSTOMER_HZ) > 500   # hears the call
    assert (band_rms(heard(emu, alice, 4), SUPERVISOR_HZ) > 500) is (mode != "monitor")
    assert (band_rms(heard(emu, customer, 4), SUPERVISOR_HZ) > 500) is (mode == "barge")
