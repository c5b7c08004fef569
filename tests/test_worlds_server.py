"""A world per account, through twilio-python against ``twilio-conf-emulator serve``: two
accounts on one server keep their clocks, journals, SIDs, phones and resets apart, and a
world's SIDs are those a fresh server with the same seed gives for the same operations."""

from engine_harness import Received, serve_process, webhook_app

from twilio_conf_emulator.remote import RemoteEmulator
from twilio_conf_emulator.webhooks.live_server import LiveServer

A_SID = "AC" + "a1" * 16
B_SID = "AC" + "b2" * 16
CALLER = "+15550100000"


def _stop(proc):
    proc.terminate()
    proc.wait(timeout=10)


def _scenario(world, sink_url):
    """A few operations in one world; returns every SID it handed out, in order."""
    world.phone("+15550000009", outcome="busy")
    c = world.client
    p1 = c.conferences("Room").participants.create(
        from_=CALLER, to="+15550000001", conference_status_callback=sink_url + "/conf",
        conference_status_callback_event=["join", "start", "leave", "end"])
    p2 = c.conferences("Room").participants.create(from_=CALLER, to="+15550000002")
    busy = c.calls.create(to="+15550000009", from_=CALLER, twiml="<Response/>")
    pn = c.incoming_phone_numbers.create(phone_number="+15557000001")
    world.advance(5)
    return [p1.conference_sid, p1.call_sid, p2.call_sid, busy.sid, pn.sid]


def test_two_accounts_on_one_server_are_independent_worlds():
    received = Received()
    with LiveServer(webhook_app("unused", received, {})) as sink:
        proc, url = serve_process(["--seed", "3"])
        try:
            server = RemoteEmulator(url)
            a = server.world(*server.create_account(A_SID, "token-a"))
            b = server.world(*server.create_account(B_SID, "token-b"))
            start_b = b.now()
            a_sids = _scenario(a, sink.url)
            # A's clock moved, B's did not; B saw nothing of A.
            assert a.now() == start_b + 5 and b.now() == start_b
            assert b.webhooks.all() == [] and b.client.conferences.list() == []
            assert [e["StatusCallbackEvent"] for e in a.webhooks.params(kind="conference-status")
                    ] == ["participant-join", "participant-join", "conference-start"]
            # A's busy phone is A's: the same number answers in B.
            b_call = b.client.calls.create(to="+15550000009", from_=CALLER, twiml="<Response/>")
            b.advance(3)
            assert b.client.calls(b_call.sid).fetch().status == "completed"
            assert a.client.calls(a_sids[3]).fetch().status == "busy"
            # SIDs are scoped by account: B's never collide with A's.
            assert b_call.sid not in a_sids
            # Resetting B leaves A whole; B starts over.
            b.reset()
            assert b.client.calls.list() == [] and b.webhooks.all() == []
            assert a.client.conferences(a_sids[0]).fetch().status == "in-progress"
            assert len(a.webhooks.all(kind="conference-status")) == 3
            assert a.now() == start_b + 5
            # Journal ids are each world's own: dense from 1, whatever the other world did,
            # and they start over with the world's reset.
            a_ids = [e["id"] for e in a.webhooks.all()]
            assert a_ids == list(range(1, len(a_ids) + 1))
            b.client.conferences("B").participants.create(
                from_=CALLER, to="+15550000001", conference_status_callback=sink.url + "/b",
                conference_status_callback_event=["join"])
            b.advance(5)
            assert [e["id"] for e in b.webhooks.all()] == [1]
            assert [e["id"] for e in b.replay_webhooks([1])] == [2]
            assert [e["id"] for e in a.webhooks.all()] == a_ids
            # Resetting A leaves B's new state.
            b_again = b.client.incoming_phone_numbers.create(phone_number="+15557000002")
            a.reset()
            assert a.client.conferences.list() == []
            assert [n.sid for n in b.client.incoming_phone_numbers.list()] == [b_again.sid]
        finally:
            _stop(proc)

        # A fresh server, same seed, only A's operations: the same SIDs as A had beside B.
        proc, url = serve_process(["--seed", "3"])
        try:
            server = RemoteEmulator(url)
            fresh = server.world(*server.create_account(A_SID, "token-a"))
            assert _scenario(fresh, sink.url) == a_sids
        finally:
            _stop(proc)


# -- realtime: many worlds at once, and resets that never freeze the clock -----------------------
def _mixed_ops(world, sink_url, n_ops, errors):
    """``n_ops`` REST and control calls in one world (participants in and out of rooms,
    fetches, lists, mutes, numbers, the journal); any exception is recorded."""
    c = world.client
    rooms, parts = [], []
    try:
        for i in range(n_ops):
            k = i % 8
            if k == 0 or not parts:
                room = f"Room{i // 40}"
                p = c.conferences(room).participants.create(
                    from_=CALLER, to=f"+1555{i:07d}", conference_status_callback=sink_url,
                    conference_status_callback_event=["join", "start", "leave", "end", "mute"])
                rooms.append(p.conference_sid)
                parts.append(p)
            elif k == 1:
                c.conferences(rooms[-1]).fetch()
            elif k == 2:
                c.conferences(rooms[-1]).participants.list()
            elif k == 3:
                p = parts[-1]
                try:
                    c.conferences(p.conference_sid).participants(p.call_sid).update(muted=True)
                except Exception as err:  # not yet connected, or gone: a Twilio 4xx is fine
                    if getattr(err, "status", 500) >= 500:
                        raise
            elif k == 4:
                c.calls.list(page_size=5)
            elif k == 5:
                c.incoming_phone_numbers.create(phone_number=f"+1666{i:07d}")
            elif k == 6:
                world.now()
            else:
                world.webhooks.all(kind="conference-status")
    except Exception as err:  # pragma: no cover - reported by the assertion below
        errors.append(repr(err))
    return rooms


def test_eight_worlds_in_realtime_stay_whole_and_apart():
    import threading

    received = Received()
    with LiveServer(webhook_app("unused", received, {})) as sink:
        proc, url = serve_process(["--clock", "realtime", "--speed", "20"])
        try:
            server = RemoteEmulator(url)
            worlds = [server.world(*server.create_account()) for _ in range(8)]
            errors, rooms = [], {}

            def work(i, w):
                rooms[i] = _mixed_ops(w, sink.url + f"/w{i}", 200, errors)

            threads = [threading.Thread(target=work, args=(i, w)) for i, w in enumerate(worlds)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            assert errors == []
            for i, w in enumerate(worlds):
                entries = w.webhooks.all()
                assert entries, "each world sent its own callbacks"
                # Only its own events: its account, its rooms, its sink path.
                assert {e["account_sid"] for e in entries} == {w.account_sid}
                assert {e["conference_sid"] for e in entries} <= set(rooms[i])
                assert all(e["url"].startswith(sink.url + f"/w{i}") for e in entries)
                by_conf = {}
                for e in entries:
                    if e["kind"] == "conference-status":
                        seq = dict(e["params"])["SequenceNumber"]
                        by_conf.setdefault(e["conference_sid"], []).append(int(seq))
                for seqs in by_conf.values():  # gapless, from 1, in order
                    assert seqs == list(range(1, len(seqs) + 1))
        finally:
            _stop(proc)


def test_fifty_resets_in_a_row_never_freeze_a_realtime_clock():
    import time

    proc, url = serve_process(["--clock", "realtime", "--speed", "50"])
    try:
        emu = RemoteEmulator(url)
        for i in range(50):
            emu.reset()
            p = emu.client.conferences("Room").participants.create(
                from_=CALLER, to="+15550000001", start_conference_on_enter=True)
            deadline = time.monotonic() + 3.0  # ~0.04 s of wall time at speed 50
            status = None
            while time.monotonic() < deadline:  # real wall-clock waits: the runner's job
                status = emu.client.conferences(p.conference_sid) \
                    .participants(p.call_sid).fetch().status
                if status == "connected":
                    break
                time.sleep(0.01)
            assert status == "connected", f"reset {i}: participant stuck {status}"
    finally:
        _stop(proc)


def test_a_webhook_handler_may_advance_the_clock_over_http():
    """The handler of a status callback calls POST /_emulator/clock/advance on the server:
    it completes at once (the run lock is lent while a webhook is in flight), no 11205."""
    import requests

    received, answers = Received(), []
    proc, url = serve_process()
    try:
        def advance_back(_req):
            r = requests.post(url + "/_emulator/clock/advance", json={"seconds": 1}, timeout=30)
            answers.append(r.status_code)
            return "", 204

        with LiveServer(webhook_app("unused", received, {"/conf": advance_back})) as sink:
            emu = RemoteEmulator(url)
            emu.reset()
            emu.client.conferences("Room").participants.create(
                from_=CALLER, to="+15550000001", conference_status_callback=sink.url + "/conf",
                conference_status_callback_event=["join"])
            emu.advance(5)
            assert answers and set(answers) == {200}
            assert [a for a in emu.alerts() if a["code"] == 11205] == []
            assert [e["status"] for e in emu.webhooks.all(kind="conference-status")] == [204]
    finally:
        _stop(proc)


def test_a_webhook_handler_may_reset_its_world_over_http():
    """A handler that resets the world while its webhook is in flight: the reset completes,
    the answer to the dropped world is not journaled, and the world carries on fresh."""
    import requests

    received, answers = Received(), []
    proc, url = serve_process()
    try:
        def reset_back(_req):
            answers.append(requests.post(url + "/_emulator/reset", timeout=30).status_code)
            return "", 204

        with LiveServer(webhook_app("unused", received, {"/conf": reset_back})) as sink:
            emu = RemoteEmulator(url)
            emu.reset()
            emu.client.conferences("Room").participants.create(
                from_=CALLER, to="+15550000001", conference_status_callback=sink.url + "/conf",
                conference_status_callback_event=["join"])
            emu.advance(5)
            assert answers == [200]
            assert emu.webhooks.all() == [] and emu.client.conferences.list() == []
            p = emu.client.conferences("Again").participants.create(from_=CALLER,
                                                                    to="+15550000002")
            emu.advance(5)
            assert emu.client.conferences(p.conference_sid).participants(p.call_sid) \
                .fetch().status == "connected"
    finally:
        _stop(proc)
