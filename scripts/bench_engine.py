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
     - plain SQLite UPDATEs for column-only commits and plain INSERTs for journal rows
       (a hold toggle's flush: ~160 us -> ~30 us); written on two branches at once, they
       were merged into the engine side's store/updates.py and store/rows.py (items 8, 10);
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

Second round, the engine side (issue 11, done alongside item 6 and merged with it; cProfile of ``--participants 250`` again, then CPU-time
medians of 3 runs; the machine was shared, so each figure is noisy to +-15 %). At its start
the scenario cost 1.87 s CPU (all events) and 0.74 s (start/end only), and the profile said:
per commit an ORM flush of the stored action / queued request rows (inserted, then deleted
when run or sent) and of the few changed columns; Core's per-statement work for every
append-only row; the webhook form urlencoded twice; a SELECT with autoflush per hang-up when
a conference ends. Done, in order (all events / plain, CPU):
  6. engine/actions.py: stored actions and queued requests are rows written and deleted by
     id, not ORM objects; a record is deleted a second time only after a rolled-back turn
     (SQLite gives a deleted row's id to the next insert)                 1.81 -> 1.58 / 0.75 -> 0.69
  7. conference/lookups.py: a cached participant that left answers "none" (no SELECT and
     autoflush for each of the 250 hang-ups when a conference ends)        1.58 -> 1.60 / 0.69 -> 0.64
  8. store/updates.py: a turn that only changed columns of existing rows writes one
     UPDATE per row and marks them clean; the commit's flush has nothing left (new or
     deleted rows still go to the ORM, whole)                             1.60 -> 1.36 / 0.64 -> 0.46
  9. webhooks/wire.py: the form is urlencoded once per webhook (token and body are the same
     text), with memoised quoting; the signing string groups values in one pass
                                                                          1.36 -> 1.22 / 0.46 -> 0.43
 10. store/rows.py: append-only rows go straight to SQLite's DBAPI connection inside the
     session's transaction, each value through its column's bind processor (a test compares
     the stored bytes with Core's); the connection is looked up once per transaction; the
     changed-column UPDATEs take the same path                            1.22 -> 1.05 / 0.43 -> 0.41
 11. store/rows.commit_written: a turn that only wrote straight to SQLite commits on the
     DBAPI connection (Session.commit's bookkeeping skipped; a rollback still goes back to it)
 12. engine/shared.py: an in-memory store keeps scheduled actions and queued requests in
     memory only (they are stored for a restart, and an in-memory store has none; a file
     or server store still stores them: tests/test_inflight_memory.py)     -> 0.93 / 0.34
 13. cookies skipped when the jar is empty and the answer sets none; release_finished reads
     row dicts without inspect; "last participant?" stops at the first one still in.
                                                                          -> 0.87 / 0.33
 14. store/inserts.py: a turn's new rows of the plain shape (a REST create's Call and
     Participant joining a stored conference) are plain SQLite INSERTs, made persistent as
     a flush does (Nones and defaults as the ORM writes them; anything else: the ORM)
                                                                   -> 0.76-0.80 / 0.25-0.26
Store contents after both scenarios (every table, every byte) and the journals are identical
to before each change (``journal_bytes`` and a dump of every table diffed).

Third round (issue 11; py-spy samples of 12 runs, then wall-time A/B medians of 12 runs
against the tree before, interleaved; journals byte-identical to b3b07ce at 50 and 250
participants after every change). At its start the all-events run took 0.52-0.56 s wall
(median; 0.50-0.65 across single runs), of which the sink app's Flask dispatch (the user's)
~17 %, twilio-python's own work ~13 %, the REST server ~30 %, the engine's advance ~40 %.
 15. api/hot.py: a participant create in twilio-python's shape is served without Flask,
     through the same parts as the view (api/participant_create.py); 250 creates were a
     third of the REST server's time              create ~0.49 -> ~0.38 ms server-side
 16. store/inserts: a collection that only gained rows is recognised by one list comparison
     with its committed copy, not the ORM's history (which mapped all 250 participants to
     their states twice per create)                                          -1.5 %
 17. engine/core: the Account row that signs each webhook is kept per session (a
     Session.get per queued request)                                         -1 %
 18. client.py: the in-process client form-encodes with the wire's quoting (not urlencode)
 19. webhooks/wire.py: quote_plus of ASCII text is one str.translate (the 64-entry memo it
     replaces overflowed with 250 participants' numbers)          15-19 together: -6 %
 20. engine/accounts: one Account lookup when the path names the caller's own account.
 21. joining.check_capacity counts active participants only when the conference has as many
     rows as its limit; release.finished dispatches on the exact class; store/updates looks a
     changed row's plain columns up in a per-mapper table.
 22. webhooks: a form with no control characters is quoted in one translate; a signature's
     string is one sort when every name appears once.
Now: 0.50-0.53 s wall (median of 5 after a warm-up, idle machine; single runs 0.49-0.63),
plain 0.15 s. Where it goes (instrumented, one run of 0.51 s): the REST server 133 ms (250
creates ~280 us each, 93 list pages ~320 us, 116 updates ~190 us), webhook delivery 163 ms of
which the sink app's Flask 97 ms, scheduled actions 90 ms (975; an answer or hang-up ~125 us,
of which ~40 us its commit), journal rows 35 ms, twilio-python's own work ~60 ms.

Measured and left (each about 1-2 % of the all-events run):
  - journal rows: ~17 us each (JSON-encoding the params ~8 us, SQLite's INSERT into a table
    with five indexes ~9 us); the indexes serve the journal's filters;
  - a page of the participant list and find_participant scan the conference's rows
    (~44 us per scan of 250);
  - release_finished reads every kept row after each advance (~0.36 ms per advance here);
  - the sink app's Flask dispatch is the user's and stays.

Run to run (issue 11, a day later, the same code): twelve runs in one process give ~0.55 s,
except every third or fourth, which is ~0.07 s longer: a full garbage collection of the
process's ~100,000 tracked objects (imports, Flask, SQLAlchemy, twilio-python; about
0.5 us an object), which Python starts once a quarter more objects have become long-lived.
The median of 9 leaves those runs out. The machine's own speed moves the median itself from
~0.55 s to ~0.60 s between runs minutes apart (the REST floors move with it).
Also measured and left: three of the journal's five indexes cost ~4 us a row (~1 %); the
store's ``Session.add`` of the call and the participant of a create ~20 us together.
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
