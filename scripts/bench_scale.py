#!/usr/bin/env python
"""Scale beyond one conference: 1,000 conferences of 3 participants, 10 virtual minutes each,
every conference and call event subscribed, webhooks into an in-process app.

Conferences run in waves of 50 at once (150 live calls); each wave lasts 10 virtual minutes
and is ended by the API, then the next starts. After each wave the process RSS and the
store's size (SQLite pages in use) and the Python heap (``sys.getallocatedblocks`` after a
collection: objects alive, which is what the rows do not account for) are sampled, so memory
that grows with the number of *finished* conferences beyond their rows shows up as
``heap_blocks_per_conf`` (from the end of the second wave on: they pay for warm-up). RSS minus
store growth is printed too, but the allocator's arenas make it noisy.

    python scripts/bench_scale.py              # 1,000 conferences
    python scripts/bench_scale.py --quick      # 200 (four waves: two of warm-up)
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time

from flask import Flask

from twilio_conf_emulator import Emulator

CONF_EVENTS = ["start", "end", "join", "leave", "mute", "hold", "modify", "speaker",
               "announcement"]
CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def store_mb(emu):
    db = emu.engine.db
    with emu.engine.transaction():
        pages = db.connection().exec_driver_sql("PRAGMA page_count").scalar()
        size = db.connection().exec_driver_sql("PRAGMA page_size").scalar()
    return pages * size / 1e6


def run(conferences=1000, wave=50, parties=3, minutes=10):
    app = Flask("scale-sink")
    app.add_url_rule("/<path:p>", "sink", lambda p: ("", 204), methods=["GET", "POST"])
    emu = Emulator(seed=0)
    emu.deliver_webhooks_to(app)
    client = emu.client
    samples = []
    t0 = time.perf_counter()
    done = 0
    while done < conferences:
        batch = min(wave, conferences - done)
        sids = []
        for k in range(batch):
            for j in range(parties):
                p = client.conferences(f"Room-{done + k}").participants.create(
                    from_="+15550100000", to=f"+1555{k * parties + j:07d}",
                    conference_status_callback="https://app.test/conf",
                    conference_status_callback_event=CONF_EVENTS,
                    status_callback="https://app.test/call", status_callback_event=CALL_EVENTS)
            sids.append(p.conference_sid)
        emu.advance(minutes * 60)
        for cf in sids:
            client.conferences(cf).update(status="completed")
        emu.advance(5)
        done += batch
        gc.collect()
        samples.append((done, rss_mb(), store_mb(emu), sys.getallocatedblocks()))
    wall = time.perf_counter() - t0
    webhooks = len(emu.webhooks.all())
    emu.stop()
    # From the end of the second wave (warm-up paid: the first waves fill the bounded memo
    # caches, e.g. of wire dates and quoted values, and SQLAlchemy's statement cache) to the
    # end of the last.
    (n0, r0, s0, h0), (n1, r1, s1, h1) = samples[min(1, len(samples) - 2)], samples[-1]
    per = max(1, n1 - n0)
    return {"conferences": conferences, "wall_s": wall, "webhooks": webhooks,
            "rss_mb": r1, "store_mb": s1, "rss_growth_kb_per_conf": (r1 - r0) * 1024 / per,
            "store_growth_kb_per_conf": (s1 - s0) * 1e3 / per,
            "beyond_rows_kb_per_conf": ((r1 - r0) - (s1 - s0)) * 1024 / per,
            "heap_blocks_per_conf": (h1 - h0) / per,
            "samples": samples}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--conferences", type=int, default=None)
    args = ap.parse_args(argv)
    n = args.conferences or (200 if args.quick else 1000)
    print(json.dumps(run(n), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
