"""``serve`` restarted on the same SQLite file carries on: no SID is handed out twice."""

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig


def test_a_restarted_emulator_on_the_same_file_never_reuses_a_sid(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    a = first.client.conferences("Room").participants.create(from_="+15550000001",
                                                             to="+15550000002")
    n = first.client.incoming_phone_numbers.create(phone_number="+15550009999")
    first.client.incoming_phone_numbers.create(phone_number="+15550009998")
    first.client.incoming_phone_numbers(n.sid).delete()   # a gap among the PN SIDs
    first.advance(5)
    first.stop()

    second = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    b = second.client.conferences("Room").participants.create(from_="+15550000001",
                                                              to="+15550000003")
    m = second.client.incoming_phone_numbers.create(phone_number="+15550009997")
    assert b.call_sid != a.call_sid
    assert m.sid != n.sid
    # What the first run left is still there, and the new participant joined the same room.
    assert b.conference_sid == a.conference_sid
    assert second.client.calls(a.call_sid).fetch().status == "in-progress"
    second.stop()


def test_a_call_recording_begun_before_a_restart_still_ends_with_its_call(tmp_path):
    # Which calls may have a live recording is known per session (read once from the store),
    # so a call recorded by the first run is still finished by the second when it hangs up.
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    a = first.client.conferences("Room").participants.create(
        from_="+15550000001", to="+15550000002", record=True)
    first.client.conferences("Room").participants.create(from_="+15550000001",
                                                         to="+15550000003")
    first.advance(8)
    assert [r.status for r in first.client.recordings.list(call_sid=a.call_sid)] == ["in-progress"]
    first.stop()

    second = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    second.hangup(a.call_sid)
    second.advance(2)
    recs = second.client.recordings.list(call_sid=a.call_sid)
    # Silent phones: it ends as absent (nothing recorded), not left in progress.
    assert [(r.source, r.status) for r in recs] == [("OutboundAPI", "absent")]
    second.stop()


def test_rows_committed_by_serve_survive_kill_9(tmp_path):
    # The file store runs WAL with synchronous=NORMAL: a committed row is in the WAL file
    # before the answer goes out, so killing the server outright loses nothing answered.
    from engine_harness import serve_process

    from twilio_conf_emulator.remote import RemoteEmulator

    url = f"sqlite:///{tmp_path / 'store.db'}"
    proc, base = serve_process(["--db", url])
    try:
        remote = RemoteEmulator(base)
        a = remote.client.conferences("Room").participants.create(from_="+15550000001",
                                                                  to="+15550000002")
        remote.advance(5)
        remote.client.conferences(a.conference_sid).participants(a.call_sid).update(muted=True)
    finally:
        proc.kill()  # SIGKILL: no shutdown, no checkpoint
        proc.wait()
    after = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    part = after.client.conferences(a.conference_sid).participants(a.call_sid).fetch()
    assert (part.muted, part.status) == (True, "connected")
    after.stop()
