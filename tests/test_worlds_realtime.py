"""Realtime worlds each follow the wall clock; one world's advance moves only its own clock,
and an idle world's clock is caught up when asked (no ticking needed)."""

import base64

from freezegun import freeze_time

from twilio_conf_emulator import Emulator


def test_each_realtime_world_follows_the_wall_clock_on_its_own():
    with freeze_time("2030-05-01 12:00:00") as frozen:
        emu = Emulator(clock="realtime", speed=2.0)
        sid, token = emu.create_account()
        other = emu.world(sid)
        start = emu.now()
        assert other.now() == start
        emu.advance(60)  # jumps the default world only
        frozen.tick(10)  # 20 virtual seconds for both
        http = emu.app.test_client()
        auth = {"Authorization": "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()}
        assert http.get("/_emulator/clock", headers=auth).json["epoch"] == start + 20
        assert http.get("/_emulator/clock").json["epoch"] == start + 80
        emu.stop()


def test_a_realtime_reset_starts_over_at_the_wall_clock_not_the_manual_epoch():
    with freeze_time("2030-05-01 12:00:00") as frozen:
        emu = Emulator(clock="realtime")
        emu.advance(3600)
        frozen.tick(5)
        emu.reset()
        assert emu.now() == emu.clock.realtime_target()  # the wall clock's "now", not 2026
        assert emu.now() == Emulator(clock="realtime").now()
        emu.stop()
