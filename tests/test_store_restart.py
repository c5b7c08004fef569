"""``serve`` restarted on the same SQLite file carries on: no SID is handed out twice."""

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig


def test_a_restarted_emulator_on_the_same_file_never_reuses_a_sid(store_url):
    url = store_url
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
        from_="+15550000001", to="+15550000002", record=True, beep="false")
    first.client.conferences("Room").participants.create(from_="+15550000001",
                                                         to="+15550000003", beep="false")
    first.advance(8)
    assert [r.status for r in first.client.recordings.list(call_sid=a.call_sid)] == ["in-progress"]
    first.stop()

    second = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    second.hangup(a.call_sid)
    second.advance(2)
    recs = second.client.recordings.list(call_sid=a.call_sid)
    # Silent phones and no beep (the recording takes both tracks, so a start beep would be
    # in it): it ends as absent (nothing recorded), not left in progress.
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
def test_requests_queued_before_a_restart_are_sent_once_after_it(store_url):
    from flask import Flask, request

    got = []
    app = Flask(__name__)

    @app.post("/conf")
    def conf():
        got.append(request.form["StatusCallbackEvent"])
        return ""

    first = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    first.deliver_webhooks_to(app)
    p = None
    for to in ("+15550000002", "+15550000003"):
        p = first.client.conferences("Room").participants.create(
            from_="+15550000001", to=to, conference_status_callback="http://app.test/conf",
            conference_status_callback_event=["mute"])
    first.advance(5)
    first.client.conferences(p.conference_sid).participants(p.call_sid).update(muted=True)
    first.stop()  # the mute callback is queued, not sent, when the process goes away
    assert got == []

    second = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    second.deliver_webhooks_to(app)
    second.advance(0)
    assert got == ["participant-mute"]
    second.stop()
    third = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    third.deliver_webhooks_to(app)
    third.advance(1)
    assert got == ["participant-mute"]  # nothing sent twice
    assert len(third.webhooks.all(kind="conference-status")) == 1
    third.stop()


def test_reset_clears_the_stored_in_flight_state(store_url):
    first = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    first.phone("+15550000002", hangup_after=30)
    first.client.conferences("Room").participants.create(from_="+15550000001",
                                                         to="+15550000002")
    first.advance(5)
    assert first.engine.scheduler.pending() >= 1
    first.reset()
    first.stop()

    second = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    assert second.engine.scheduler.pending() == 0
    assert second.now() == first.epoch or second.now() == Emulator().now()
    assert second.webhooks.all() == []
    second.stop()


def test_a_twiml_request_queued_before_a_restart_is_sent_and_its_answer_run_after_it(store_url):
    from flask import Flask

    hits = []
    app = Flask(__name__)

    @app.post("/next")
    def nxt():
        hits.append("next")
        return "<Response><Say>moved</Say><Hangup/></Response>", 200, {"Content-Type": "text/xml"}

    first = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    call = first.client.calls.create(to="+15550004444", from_="+15550001111",
                                     twiml="<Response><Pause length='60'/></Response>")
    first.advance(5)
    first.client.calls(call.sid).update(url="http://app.test/next")  # queued, not yet sent
    first.stop()

    second = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    second.deliver_webhooks_to(app)
    second.advance(10)
    assert hits == ["next"]
    assert second.client.calls(call.sid).fetch().status == "completed"
    assert [e["kind"] for e in second.webhooks.all(call_sid=call.sid)] == ["redirect"]
    second.stop()


def test_a_play_fetch_queued_before_a_restart_plays_after_it_and_the_document_goes_on(
        store_url):
    from audio_helpers import tone
    from flask import Flask

    from twilio_conf_emulator.media.audio import encode_wav
    from twilio_conf_emulator.store.models import MediaEventRow

    app = Flask(__name__)
    fetched = []

    @app.get("/a.wav")
    def wav():
        fetched.append("a.wav")
        return encode_wav(tone(440, 3)), 200, {"Content-Type": "audio/x-wav"}

    first = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    call = first.client.calls.create(to="+15550004444", from_="+15550001111",
                                     twiml="<Response><Pause length='60'/></Response>")
    first.advance(5)
    first.client.calls(call.sid).update(
        twiml="<Response><Play>http://app.test/a.wav</Play><Say>after</Say>"
              "<Pause length='30'/></Response>")  # the <Play> fetch is queued, not sent
    first.stop()

    second = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    second.deliver_webhooks_to(app)
    second.advance(10)
    assert fetched == ["a.wav"]
    with second.engine.transaction() as db:
        plays = [r.data["audio"] for r in db.query(MediaEventRow).filter(
            MediaEventRow.call_sid == call.sid, MediaEventRow.kind == "call-play")
            .order_by(MediaEventRow.id)]
    assert [p["kind"] for p in plays] == ["bytes", "say"] and plays[1]["text"] == "after"
    assert second.client.calls(call.sid).fetch().status == "in-progress"
    second.stop()


def test_each_world_gets_its_own_in_flight_state_back(store_url):
    first = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    sid, token = first.create_account()
    world = first.world(sid)
    world.phone("+15550000002", hangup_after=30)
    call = world.client.calls.create(to="+15550000002", from_="+15550000001",
                                     twiml="<Response><Pause length='100'/></Response>")
    world.advance(10)
    first.advance(3)  # the default world's clock moves on its own
    first.stop()

    second = Emulator(db_url=store_url, config=EmulatorConfig(strict_actions=True))
    again = second.world(sid)
    assert again.now() == world.now() and second.now() == first.now()
    assert again.engine.scheduler.pending() >= 1 and second.engine.scheduler.pending() == 0
    again.advance(25)  # the phone hangs up 30 s after answering (at 2 s)
    done = again.client.calls(call.sid).fetch()
    assert done.status == "completed" and done.duration == "30"
    second.stop()


def test_only_a_store_made_just_now_has_nothing_to_resume(tmp_path):
    """Start-up skips reading what a store holds only when it made the store itself: a new
    file, or one holding none of the emulator's tables. A store it wrote before is read."""
    import sqlite3

    from sqlalchemy import inspect

    from twilio_conf_emulator.store.db import is_new_store, open_store

    path = tmp_path / "emu.db"
    db = open_store(f"sqlite:///{path}")
    assert is_new_store(db)
    db.close()
    db.get_bind().dispose()
    assert not is_new_store(reopened := open_store(f"sqlite:///{path}"))
    reopened.close()
    reopened.get_bind().dispose()

    other = tmp_path / "other.db"  # someone else's tables only: ours are made beside them
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    db = open_store(f"sqlite:///{other}")
    assert is_new_store(db)
    assert {"notes", "participants", "webhook_journal"} <= set(inspect(db.get_bind()).get_table_names())
    db.close()
    db.get_bind().dispose()
    assert is_new_store(open_store("sqlite://"))
