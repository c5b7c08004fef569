#!/usr/bin/env python
"""Mixer throughput against a numpy floor, for 20 and 250 participants.

For each size, a synthetic conference over N virtual minutes: every participant speaks in
talk spurts (a looped tone-then-silence playlist at its own pitch), and roughly every 30 s
each participant changes state (mute/unmute for most, hold/unhold with hold music for some,
coach/stop-coaching for a few), so the mixer sees realistic, frequent state changes.

Both sides render every listener over the same chunks:

- **mixer**: ``ConferenceMixer.mix`` for all listeners (bus, mix-minus, hold/wait/coach
  routing, clipping, int16 out).
- **floor**: the least numpy can do with the same stacked inputs: one ``sum`` of the
  (participants x chunk) stack, then one subtraction per listener.  Stacking the inputs is
  not timed.

``ratio`` = floor time / mixer time (1.0 = as fast as the floor; target >= 0.5).  Peak memory
is measured by tracemalloc in a separate pass (so it does not perturb the timings) and the
process's max RSS is printed at the end.

    python scripts/bench_mixer.py            # 10 virtual minutes (a few minutes on 2 cores)
    python scripts/bench_mixer.py --quick    # 1 virtual minute

``scripts/bench.py`` runs it (as ``run``) with every other measure of issue 11.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc

import numpy as np

from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.media import timeline as tl
from twilio_conf_emulator.media.mixer import ConferenceMixer, _chunk_samples
from twilio_conf_emulator.media.timeline import MediaEvent as E

T0 = 1767225600.0
CF = "CF" + "b" * 32


def sid(i: int) -> str:
    return f"CA{i:032d}"


def conference(n: int, minutes: float, seed: int = 7, talkers: int = 12, amplitude: float = 0.03):
    """Events of a synthetic conference; everybody present from T0, started at once."""
    rng = random.Random(seed)
    end = T0 + 60 * minutes
    ev = []
    for i in range(n):
        talk = 1.0 + (i % 7) * 0.5
        pause = 2.0 + (i % 5) * 1.5
        voice = {"kind": "playlist", "loop": True, "items": [
            {"kind": "tone", "hz": 120 + (37 * i) % 3000, "seconds": talk, "amplitude": amplitude},
            {"kind": "silence", "seconds": pause},
        ]}
        ev.append(E(T0, "call-answered", sid(i), data={"voice": voice}))
    for i in range(n):
        # Big conferences are mostly muted listeners; a dozen people may talk at once.
        muted = i >= talkers
        ev.append(E(T0, "conf-enter", sid(i), CF, {"muted": muted, "jitter": "large", "wait_audio": None}))
    ev.append(E(T0, "conf-start", conference_sid=CF))
    ev.append(E(T0, "record", conference_sid=CF, data={"action": "start", "recording_sid": "RE" + "0" * 32, "channels": 2, "trim": False}))
    changes = []
    for i in range(n):
        role = "coach" if i % 25 == 3 else ("hold" if i % 10 == 5 else "mute")
        t = T0 + rng.uniform(0, 30)
        on = False
        while t < end:
            on = not on
            if role == "coach":
                changes.append(E(t, "coach", sid(i), CF, {"target": sid((i + 1) % n) if on else None}))
            elif role == "hold":
                changes.append(E(t, "hold" if on else "unhold", sid(i), CF, {"audio": {"kind": "hold-music"}} if on else {}))
            elif i < talkers:  # a talker mutes now and then
                changes.append(E(t, "mute" if on else "unmute", sid(i), CF))
            else:  # a listener unmutes briefly (a question), then mutes again
                changes.append(E(t, "unmute" if on else "mute", sid(i), CF))
            t += rng.uniform(5, 10) if (on and i >= talkers and role == "mute") else rng.uniform(20, 40)
    changes.sort(key=lambda e: e.t)
    return ev + changes, end


def stack_inputs(mixer: ConferenceMixer, listeners, a: int, b: int, stack: np.ndarray):
    """Every participant's (delayed) voice over [a, b), one row each: the floor's input."""
    stack.fill(0)
    for row, s in enumerate(listeners):
        p = mixer.scene.participants[s]
        for run in p.route.items[:1] or ():
            run[3].add_into(stack[row], a, a, b)  # the voice clip, ignoring state
    return stack


def run(n: int, minutes: float, chunk_seconds: float, config, **kw) -> dict:
    events, end = conference(n, minutes, **kw)
    t = time.perf_counter()
    mixer = ConferenceMixer(events, CF, config)
    build = time.perf_counter() - t
    listeners = list(mixer.scene.participants)
    a0, b0 = tl.sample_of(T0, config), tl.sample_of(end, config)
    size = _chunk_samples(config, chunk_seconds)
    out = np.empty((n, size), np.int16)
    stack = np.zeros((n, size), np.int16)
    bus32 = np.empty(size, np.int32)
    sub = np.empty(size, np.int32)
    t_mix = t_floor = 0.0
    for a in range(a0, b0, size):
        b = min(a + size, b0)
        m = b - a
        t = time.perf_counter()
        mixer.mix(a, b, listeners, out=out[:, :m])
        t_mix += time.perf_counter() - t
        st = stack_inputs(mixer, listeners, a, b, stack[:, :m])
        t = time.perf_counter()
        np.sum(st, axis=0, dtype=np.int32, out=bus32[:m])
        for row in range(n):
            np.subtract(bus32[:m], st[row], out=sub[:m])
        t_floor += time.perf_counter() - t
    virtual = (b0 - a0) / config.sample_rate
    return {"n": n, "virtual_s": virtual, "build_s": build, "mixer_s": t_mix, "floor_s": t_floor,
            "ratio": t_floor / t_mix, "x_realtime": virtual / (build + t_mix), "events": len(events)}


def peak_memory(n: int, minutes: float, chunk_seconds: float, config, **kw) -> float:
    """MB allocated at peak while building the mixer and rendering every listener."""
    events, end = conference(n, minutes, **kw)
    tracemalloc.start()
    mixer = ConferenceMixer(events, CF, config)
    listeners = list(mixer.scene.participants)
    size = _chunk_samples(config, chunk_seconds)
    out = np.empty((n, size), np.int16)
    a0, b0 = tl.sample_of(T0, config), tl.sample_of(end, config)
    for a in range(a0, b0, size):
        b = min(a + size, b0)
        mixer.mix(a, b, listeners, out=out[:, : b - a])
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / 1e6


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 virtual minute instead of 10")
    ap.add_argument("--minutes", type=float, default=None, help="virtual minutes (default 10, or 1 with --quick)")
    ap.add_argument("--chunk", type=float, default=5.0, help="chunk seconds (default 5)")
    ap.add_argument("--sizes", default="20,250", help="participant counts, comma-separated")
    ap.add_argument("--talkers", type=int, default=12, help="participants unmuted at the start (default 12)")
    ap.add_argument("--amplitude", type=float, default=0.03,
                    help="voice tone amplitude, full scale = 1 (default 0.03); e.g. --talkers 250 "
                         "--amplitude 0.3 is the worst case: everyone talking, the bus clipping")
    args = ap.parse_args(argv)
    minutes = args.minutes or (1.0 if args.quick else 10.0)
    config = EmulatorConfig()
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"mix-minus mixer vs numpy floor: {minutes:g} virtual min, {args.chunk:g} s chunks, "
          f"{config.sample_rate} Hz, {args.talkers} talkers at amplitude {args.amplitude:g}, "
          f"numpy {np.__version__}, python {sys.version.split()[0]}")
    head = (f"{'parts':>5} {'events':>6} {'virtual':>8} {'build s':>8} {'mixer s':>8} "
            f"{'floor s':>8} {'ratio':>6} {'x realtime':>10} {'peak MB':>8}")
    print(head)
    print("-" * len(head))
    ok = True
    for n in sizes:
        kw = {"talkers": args.talkers, "amplitude": args.amplitude}
        r = run(n, minutes, args.chunk, config, **kw)
        mem = peak_memory(n, min(minutes, 2.0), args.chunk, config, **kw)
        ok &= r["ratio"] >= 0.5
        print(f"{n:>5} {r['events']:>6} {r['virtual_s']:>7.0f}s {r['build_s']:>8.2f} {r['mixer_s']:>8.2f} "
              f"{r['floor_s']:>8.2f} {r['ratio']:>6.2f} {r['x_realtime']:>10.0f} {mem:>8.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("-" * len(head))
    print("ratio = floor time / mixer time (target >= 0.50); x realtime = virtual seconds of all")
    print("listeners' audio rendered per wall second (build + mix); peak MB = tracemalloc peak over")
    print(f"min(minutes, 2) virtual minutes (bounded by chunk x participants); process max RSS {rss:.0f} MB")
    print("target met" if ok else "TARGET MISSED: ratio < 0.5")
    return 0


if __name__ == "__main__":
    sys.exit(main())
