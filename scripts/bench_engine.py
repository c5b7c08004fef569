#!/usr/bin/env python
"""Engine throughput and determinism: a 60-virtual-minute conference with 50 participants.

Every participant is added through twilio-python (in-process), subscribed to every
conference event and every call-progress event, with callbacks delivered into an in-process
WSGI app. About every two virtual minutes a few participants are muted/unmuted or
held/unheld; each hangs up at its own time (the last ones stay until an API end at 60 min).

Then the plain case (start/end callbacks only, no mutes or holds), median of three runs.

Printed: wall time of the scenario (excluding the emulator's construction), virtual seconds
run, webhooks delivered, events/s, and whether two runs give byte-identical journals
(``emu.webhooks.all()`` as JSON minus ids).

    python scripts/bench_engine.py              # 50 participants, 60 virtual minutes
    python scripts/bench_engine.py --profile    # and the top of a cProfile of one run

Profile-guided plan (issue 11; cProfile of ``--participants 250``, 461 REST calls, 1,618
webhooks, 975 actions, 1,719 commits). Journals must stay byte-identical between runs and
to the journals before each change (checked by diffing ``journal_bytes`` JSON).

Where the time went at the start (cumulative share of the scenario):
  1. ORM unit of work: ~40 %. Every journal entry, alert and media event was an ORM object
     flushed with the participant/call rows (topological sort, identity map, per-row
     INSERT bookkeeping); 6,132 INSERT/UPDATE statements in 1,900 flushes.
  2. In-process HTTP both ways: ~35 %. werkzeug's EnvironBuilder/test Client built every
     environ (webhooks into the sink app and twilio-python's REST calls), then Flask.
  3. Per-hang-up store query for live call recordings (autoflush + SELECT): ~15 %.
  4. Webhook signing: urlencode twice per request (idempotency token and body), URL
     canonicalisation through requests.PreparedRequest, RFC 2822 dates via email.utils.
  5. Rendering REST bodies (marshmallow dump) and building parameter schemas per request.

Done, in that order of gain:
  1. engine/books.py: journal, alerts, media events are one Core INSERT each on the
     session's connection (same ids, same order, rolled back with the action) - 13 s -> 5 s
     under the profiler.
  2. webhooks/wsgi_environ.py: the environ written directly for canonical URLs (a test
     compares it with EnvironBuilder's for every URL shape); client.py uses it too.
  3. engine/recording.py: the calls that may have a live recording are known per session;
     other calls skip the query.
  4. canonical URLs and RFC 2822 dates memoised; schemas built once per process.
  5. engine/release.py: finished rows are released after each advance (memory, not speed).
  6. The REST request path (issue 11's REST rows; each checked against the journals before
     it, byte for byte, at 50 and 250 participants):
     - engine/quickflush.py: a commit whose changes are only columns of stored rows writes
       them as plain SQLite UPDATEs and marks the rows clean, instead of the ORM's flush
       (a hold toggle's flush: ~160 us -> ~30 us); anything else still takes the flush;
     - engine/books.py: journal, alert and media-event INSERTs go to the SQLite cursor
       when Core would add nothing (no defaults to fill in);
     - engine/core.py: a transaction wakes the realtime runner only when it queued a
       request (``at`` wakes it for actions); after every REST read it woke, saved its
       clock and committed (~0.3 ms per request under ``serve``);
     - api/hot.py: a participant's fetch and update and a conference's participant list,
       in the shape twilio-python sends, are served without Flask's request machinery,
       through the same parts as the views (tests/test_api_hot_path.py compares every
       answer, journal and alert with the views');
     - api/render.py: participants rendered by a plain dict writer reading the row's
       loaded values (a page of 100: ~1.2 ms with marshmallow -> ~0.1 ms); parameter
       schemas deserialise field by field without ``Schema.load``'s machinery.

Left (measured, not done; each is the next step towards 0.6 s):
  - one commit per action (1,719 commits, ~30 % of advance): batch commits per instant,
    with a SAVEPOINT per action to keep "a failing action is rolled back alone";
  - Flask dispatch of the sink app (~25 % with the REST calls, which now skip Flask for
    participant fetch/update/list only): a thinner WSGI path;
  - the sink's webhooks are signed and urlencoded twice (token + body): encode once.
"""

import argparse
import json
import random
import sys
import time

from flask import Flask

from twilio_conf_emulator import Emulator

CONF_EVENTS = ["start", "end", "join", "leave", "mute", "hold", "modify", "announcement"]
CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


def sink_app():
    app = Flask("bench-sink")
    app.add_url_rule("/<path:p>", "sink", lambda p: ("", 204), methods=["GET", "POST"])
    return app


class Timed:
    """Wall time spent inside ``advance`` (the engine: actions + webhook delivery)."""

    def __init__(self, emu):
        self.emu, self.seconds, self.cpu = emu, 0.0, 0.0

    def advance(self, s):
        t, c = time.perf_counter(), time.process_time()
        self.emu.advance(s)
        self.seconds += time.perf_counter() - t
        self.cpu += time.process_time() - c


def scenario(participants=50, minutes=60, seed=1, split=None):
    """Run it once; returns (emulator, wall seconds); ``split["advance"]`` gets the part of
    the wall time spent in ``advance`` (the rest is REST calls through twilio-python)."""
    rng = random.Random(seed)
    emu = Emulator(seed=0)
    timed = Timed(emu)
    emu.deliver_webhooks_to(sink_app())
    client = emu.client
    numbers = [f"+1555{i:07d}" for i in range(participants)]
    for i, n in enumerate(numbers):
        stay = None if i % 10 == 0 else rng.randint(5, minutes * 60 - 30)
        emu.phone(n, answer_after=rng.choice([1, 2, 3]), hangup_after=stay)
    t0, c0 = time.perf_counter(), time.process_time()
    begin = emu.clock.now()
    sids = []
    for n in numbers:
        p = client.conferences("Bench").participants.create(
            from_="+15550100000", to=n, conference_status_callback="https://app.test/conf",
            conference_status_callback_event=CONF_EVENTS, status_callback="https://app.test/call",
            status_callback_event=CALL_EVENTS)
        sids.append(p.call_sid)
    conf_sid = p.conference_sid
    timed.advance(10)
    held, muted = set(), set()
    for _minute in range(2, minutes, 2):
        timed.advance(120)
        active = {x.call_sid for x in client.conferences(conf_sid).participants.list()}
        for sid in rng.sample(sorted(active), min(4, len(active))):
            part = client.conferences(conf_sid).participants(sid)
            if rng.random() < 0.5:
                part.update(muted=sid not in muted)
                muted ^= {sid}
            else:
                part.update(hold=sid not in held, hold_url="")
                held ^= {sid}
    timed.advance(max(0.0, begin + minutes * 60 - emu.clock.now()))
    conf = client.conferences(conf_sid).fetch()
    if conf.status != "completed":
        client.conferences(conf_sid).update(status="completed")
    timed.advance(10)
    wall = time.perf_counter() - t0
    if split is not None:
        split["advance"] = timed.seconds
        split["advance_cpu"] = timed.cpu
        split["cpu"] = time.process_time() - c0
    return emu, wall


def plain_scenario(participants=50, minutes=60):
    """The issue's own wording: 50 participants added by API stay in one conference for 60
    virtual minutes (default ``start end`` callbacks into an in-process app), then it ends.
    Returns wall seconds."""
    emu = Emulator(seed=0)
    emu.deliver_webhooks_to(sink_app())
    client = emu.client
    t0 = time.perf_counter()
    for i in range(participants):
        p = client.conferences("Town hall").participants.create(
            from_="+15550100000", to=f"+1555{i:07d}",
            conference_status_callback="https://app.test/conf")
    emu.advance(10)
    emu.advance(minutes * 60)
    client.conferences(p.conference_sid).update(status="completed")
    emu.advance(1)
    wall = time.perf_counter() - t0
    assert client.conferences(p.conference_sid).fetch().status == "completed"
    emu.stop()
    return wall


def journal_bytes(emu):
    return json.dumps([{k: v for k, v in e.items() if k != "id"}
                       for e in emu.webhooks.all()]).encode()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=50)
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)

    split = {}
    emu, wall = scenario(args.participants, args.minutes, split=split)
    first = journal_bytes(emu)
    n = len(emu.webhooks.all())
    start = min(e["time"] for e in emu.webhooks.all())
    virtual = emu.clock.now() - start
    print(f"engine: {args.participants} participants, {virtual / 60:.1f} virtual minutes, "
          f"{n} webhooks delivered in-process")
    print(f"  wall {wall * 1000:.0f} ms, {n / wall:,.0f} events/s, "
          f"{virtual / wall:,.0f}x real time")
    print(f"  cpu {split['cpu'] * 1000:.0f} ms (wall minus waiting for a busy machine), "
          f"of which advance {split['advance_cpu'] * 1000:.0f} ms")
    print(f"  of which advance (engine: actions, signing, delivery into the app): "
          f"{split['advance'] * 1000:.0f} ms, {n / split['advance']:,.0f} webhooks/s; "
          f"REST calls through twilio-python: {(wall - split['advance']) * 1000:.0f} ms")
    emu.stop()

    emu2, wall2 = scenario(args.participants, args.minutes)
    same = journal_bytes(emu2) == first
    print(f"  second run: wall {wall2 * 1000:.0f} ms; journals byte-identical: {same} "
          f"({len(first):,} bytes)")
    emu2.stop()

    plain = sorted(plain_scenario(args.participants, args.minutes) for _ in range(3))
    print(f"plain: {args.participants} participants for {args.minutes} virtual minutes, "
          f"start/end callbacks only: wall {plain[1] * 1000:.0f} ms (median of 3)")

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        scenario(args.participants, args.minutes)[0].stop()
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
