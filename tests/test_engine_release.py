"""Memory follows the live state (issue 11): rows of finished conferences are let go after
each advance, and everything about them still reads back the same from the store."""

import gc

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.store.models import Call, Conference, Participant


def one_conference(emu, k):
    room = emu.client.conferences(f"Room-{k}")
    parts = [room.participants.create(from_="+15550000001", to=f"+1555100{k:03d}{j}")
             for j in range(3)]
    emu.advance(30)
    emu.client.conferences(parts[0].conference_sid).update(status="completed")
    emu.advance(5)
    return parts


def kept(emu, cls):
    gc.collect()
    return [r for r in emu.engine.db.identity_map.values() if isinstance(r, cls)]


def test_finished_conferences_are_not_kept_in_memory_and_still_read_back():
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    finished = [one_conference(emu, k) for k in range(6)]
    # Nothing of six finished conferences stays alive in the engine.
    assert kept(emu, Conference) == [] and kept(emu, Participant) == [] and kept(emu, Call) == []
    # ... and the store still answers for them, as before.
    for parts in finished:
        conf = emu.client.conferences(parts[0].conference_sid).fetch()
        assert conf.status == "completed"
        for p in parts:
            assert emu.client.calls(p.call_sid).fetch().status == "completed"
    # A new conference with a name used before is a new conference, and it works.
    again = one_conference(emu, 0)
    assert again[0].conference_sid != finished[0][0].conference_sid
    assert emu.webhooks.events(conference_sid=again[0].conference_sid) == []  # none subscribed
    emu.stop()
