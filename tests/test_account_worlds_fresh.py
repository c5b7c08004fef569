"""A world made by ``create_account`` starts empty, also for a SID that was closed before
(closing deletes every row of the world), and a world on a reopened store carries on."""

from twilio_conf_emulator import Emulator

SID = "AC" + "b" * 32


def _meet(world):
    p = world.client.conferences("Room").participants.create(from_="+15550001111",
                                                             to="+15550002222")
    world.advance(5)
    return p.conference_sid, p.call_sid


def test_a_closed_and_recreated_account_starts_over():
    emu = Emulator()
    emu.create_account(SID, "token-1")
    first = _meet(emu.world(SID))
    assert len(emu.world(SID).client.conferences.list()) == 1
    emu.close_account(SID)

    emu.create_account(SID, "token-2")
    again = emu.world(SID)
    assert again.client.conferences.list() == []
    assert again.webhooks.all() == []
    assert _meet(again) == first  # the same seed and scope: the same SIDs, none carried over


def test_an_account_world_on_a_reopened_store_carries_on(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    emu = Emulator(db_url=url)
    emu.create_account(SID, "token-1")
    first = _meet(emu.world(SID))
    emu.stop()
    emu.store.db.close()

    reopened = Emulator(db_url=url)
    world = reopened.world(SID)
    assert [c.sid for c in world.client.conferences.list()] == [first[0]]
    assert _meet(world) != first  # new SIDs follow the stored ones
    reopened.stop()
