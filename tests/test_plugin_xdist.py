"""``pytest -n 4 --twilio-emulator-url URL``: the plugin's example tests, on four xdist workers
sharing one server, pass as they do on one worker (each test has its own account's world)."""

from engine_harness import serve_process
from test_plugin_fixtures import _fixed

pytest_plugins = ["pytester"]

# Many small tests at once: each advances its own clock and checks its journal exactly,
# which a shared world (a global reset, one clock) would break across workers.
PARALLEL = '''
import pytest


@pytest.mark.parametrize("n", range(16))
def test_rooms_in_parallel(twilio_emulator, twilio_client, n):
    twilio_emulator.phone("+15550000001", hangup_after=20 + n)
    p = twilio_client.conferences(f"Room{n}").participants.create(
        from_="+15550100000", to="+15550000001", start_conference_on_enter=True,
        conference_status_callback="http://127.0.0.1:9/never",
        conference_status_callback_event=["join", "leave"])
    twilio_emulator.advance(5)
    assert twilio_client.conferences(p.conference_sid).participants(p.call_sid) \\
        .fetch().status == "connected"
    twilio_emulator.advance(30 + n)
    twilio_emulator.webhooks.assert_events(["participant-join", "participant-leave"])
    assert [c.sid for c in twilio_client.conferences.list()] == [p.conference_sid]
'''


def test_four_workers_share_one_server(pytester):
    proc, url = serve_process()
    try:
        pytester.makepyfile(test_user=_fixed(), test_parallel=PARALLEL)
        for workers in ("4", "0"):
            result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", workers,
                                                   "--twilio-emulator-url", url)
            result.assert_outcomes(passed=16 + _fixed().count("\ndef test_"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
