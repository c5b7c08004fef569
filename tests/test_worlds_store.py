"""Worlds over one store file: a restarted emulator gives each world back its SID sequence and
its journal and alert numbering, and a second world's rows never shift the first's."""

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig

CALLER = "+15550100000"
DOWN = "http://127.0.0.1:9/down"  # nothing listens: an 11205 alert per callback


def _activity(world):
    p = world.client.conferences("Room").participants.create(
        from_=CALLER, to="+15550000001", conference_status_callback=DOWN,
        conference_status_callback_event=["join"])
    world.advance(5)
    return p


def test_a_restart_carries_on_each_worlds_sids_journal_and_alert_numbers(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    sid, token = first.create_account()
    a1, b1 = _activity(first), _activity(first.world(sid))
    _activity(first)
    assert [e["id"] for e in first.webhooks.all()] == [1, 2]
    assert [a["id"] for a in first.alerts()] == [1, 2]
    first.stop()

    second = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    a2, b2 = _activity(second), _activity(second.world(sid))
    assert [e["id"] for e in second.webhooks.all()] == [1, 2, 3]
    assert [e["id"] for e in second.world(sid).webhooks.all()] == [1, 2]
    assert [a["id"] for a in second.world(sid).alerts()] == [1, 2]
    assert len({a1.call_sid, a2.call_sid, b1.call_sid, b2.call_sid}) == 4
    assert second.world(sid).auth_token == token
    second.stop()
