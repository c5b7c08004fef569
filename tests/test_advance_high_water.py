"""An advance delivers what was queued up to its high-water mark (README "Bounds"): REST
writers that keep queueing webhooks directly (a participant's mute, not a scheduled action)
cannot keep it going, and SequenceNumbers still go out gapless and in order per conference."""

import threading
import time
from collections import defaultdict

from flask import Flask

PHONES = ["+15550700001", "+15550700002", "+15550700003", "+15550700004"]


def slow_app(slow):
    web = Flask(__name__)

    @web.post("/conf")
    def conf():
        if slow.is_set():
            time.sleep(0.006)  # each delivery takes a moment, as a real app's would
        return ""

    return web


def test_an_advance_returns_while_writers_keep_queueing_conference_events(emu):
    slow = threading.Event()
    emu.deliver_webhooks_to(slow_app(slow))
    client = emu.client
    parts = []
    for room, phones in (("RoomA", PHONES[:2]), ("RoomB", PHONES[2:])):
        for to in phones:
            emu.phone(to, hangup_after=3600)
            parts.append(client.conferences(room).participants.create(
                from_="+15550100000", to=to, conference_status_callback="http://app.test/conf",
                conference_status_callback_event=["start", "join", "leave", "mute"]))
    emu.advance(5)
    stop = threading.Event()
    writes = []
    errors = []

    def writer(part):
        c = emu.make_client()
        muted = False
        try:
            while not stop.is_set():
                muted = not muted
                c.conferences(part.conference_sid).participants(part.call_sid).update(muted=muted)
                writes.append(part.conference_sid)
                time.sleep(0.001)
        except Exception as err:  # reported below, never lost in a thread
            errors.append(err)

    # Two writers (one per room) queue faster than the app answers.
    threads = [threading.Thread(target=writer, args=(p,), daemon=True) for p in parts[::2]]
    for t in threads:
        t.start()
    slow.set()  # the app answers slower than the writers queue
    while len(writes) < 20:
        time.sleep(0.005)
    done = threading.Event()

    def advance():
        emu.advance(10)
        done.set()

    runner = threading.Thread(target=advance, daemon=True)
    runner.start()
    finished = done.wait(120)
    writes_when_done = len(writes)
    stop.set()
    slow.clear()
    for t in threads:
        t.join(30)
    assert not errors
    assert finished, "advance never returned while writers kept queueing webhooks"
    emu.advance(0)  # what the writers queued after the mark goes out on the next run
    events = emu.webhooks.all(kind="conference-status")
    # Every write was delivered once, and the late joiner's join too.
    mutes = [e for e in events if dict(e["params"])["StatusCallbackEvent"].endswith("mute")]
    assert len(mutes) == len(writes) >= writes_when_done
    joins = [e for e in events if dict(e["params"])["StatusCallbackEvent"] == "participant-join"]
    assert len(joins) == 4
    seqs = defaultdict(list)
    for e in sorted(events, key=lambda e: e["id"]):
        p = dict(e["params"])
        seqs[p["ConferenceSid"]].append(int(p["SequenceNumber"]))
    assert len(seqs) == 2
    for conf, got in seqs.items():
        assert got == list(range(1, len(got) + 1)), conf
