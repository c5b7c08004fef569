"""Realtime mode follows the wall clock times ``speed`` (proved with freezegun, no sleeping),
and a manual-clock emulator ignores a frozen wall clock entirely."""

import datetime

from freezegun import freeze_time

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import DEFAULT_EPOCH, EmulatorConfig

A, B = "+15550000001", "+15550000002"


def _catch_up(emu):
    emu.engine.run_until(emu.clock.realtime_target())


def test_realtime_follows_the_wall_clock_times_speed():
    with freeze_time("2030-05-01 12:00:00") as frozen:
        emu = Emulator(clock="realtime", speed=4.0, config=EmulatorConfig(strict_actions=True))
        start = emu.clock.now()
        assert start == datetime.datetime(2030, 5, 1, 12, tzinfo=datetime.timezone.utc).timestamp()
        p = emu.client.conferences("Room").participants.create(from_="+15550100000", to=A)
        emu.client.conferences("Room").participants.create(from_="+15550100000", to=B)
        _catch_up(emu)
        assert emu.clock.now() == start
        frozen.tick(0.25)  # one virtual second: initiated -> ringing
        _catch_up(emu)
        assert emu.clock.now() == start + 1.0
        assert emu.client.conferences(p.conference_sid).participants(p.call_sid).fetch() \
            .status == "ringing"
        frozen.tick(0.25)  # another virtual second: answered (default_answer_after = 1 s)
        _catch_up(emu)
        assert emu.client.conferences(p.conference_sid).fetch().status == "in-progress"
        frozen.tick(100)
        _catch_up(emu)
        assert emu.clock.now() == start + 402.0
        emu.stop()


def test_advance_in_realtime_mode_jumps_ahead_and_keeps_following():
    with freeze_time("2030-05-01 12:00:00") as frozen:
        emu = Emulator(clock="realtime", speed=1.0)
        start = emu.clock.now()
        emu.advance(60)
        assert emu.clock.now() == start + 60
        frozen.tick(5)
        _catch_up(emu)
        assert emu.clock.now() == start + 65
        emu.stop()


def test_a_frozen_wall_clock_does_not_stop_a_manual_emulator():
    with freeze_time("2001-02-03 04:05:06"):
        emu = Emulator(config=EmulatorConfig(strict_actions=True))
        assert emu.clock.now() == DEFAULT_EPOCH
        p = emu.client.conferences("Room").participants.create(from_="+15550100000", to=A)
        emu.client.conferences("Room").participants.create(from_="+15550100000", to=B)
        emu.advance(5)
        conf = emu.client.conferences(p.conference_sid).fetch()
        assert conf.status == "in-progress"
        # Dates come from the virtual clock (2026-01-01), not from the frozen 2001.
        assert conf.date_created == datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        assert conf.date_updated == datetime.datetime(2026, 1, 1, 0, 0, 2,
                                                      tzinfo=datetime.timezone.utc)
        emu.advance(3600)
        assert emu.clock.now() == DEFAULT_EPOCH + 3605
        emu.stop()


def test_a_ticking_wall_clock_does_not_move_a_manual_emulator():
    with freeze_time("2030-01-01") as frozen:
        emu = Emulator()
        emu.client.conferences("Room").participants.create(from_="+15550100000", to=A)
        frozen.tick(3600)
        emu.advance(0)
        assert emu.clock.now() == DEFAULT_EPOCH
        assert emu.client.conferences.list()[0].status == "init"
        emu.stop()
