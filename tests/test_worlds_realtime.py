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



def test_the_runner_reads_its_target_only_once_it_holds_the_run_lock():
    """The reset race, forced: the runner waits for the run lock while a reset moves the clock
    back; it must then run to the wall clock's time after the reset, not to a target read
    before it (that would put the clock an hour ahead of the wall clock: frozen). Real wall
    time here (freezegun and threads do not mix)."""
    import time

    emu = Emulator(clock="realtime", speed=20.0)
    emu.advance(3600)                      # the clock runs an hour ahead of the wall
    eng = emu.engine
    eng.run_lock.acquire()
    emu.start_realtime(tick=0.01)
    time.sleep(0.2)                        # let the runner block on the run lock
    emu.reset()                            # back to the wall clock's time
    eng.run_lock.release()
    p = emu.client.conferences("Room").participants.create(from_="+15550100000",
                                                           to="+15550000001")
    status, deadline = None, time.monotonic() + 5  # ~0.1 s of wall time at speed 20
    while status != "connected" and time.monotonic() < deadline:
        time.sleep(0.02)                   # real waits: the runner thread does the work
        status = emu.client.conferences(p.conference_sid).participants(p.call_sid) \
            .fetch().status
    assert status == "connected"
    assert emu.now() <= emu.clock.realtime_target()
    emu.stop()
