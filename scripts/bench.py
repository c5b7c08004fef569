#!/usr/bin/env python
"""The benchmark suite of issue 11: every measure, its figure, its floor and its target.

    python scripts/bench.py            # the full run (about 5 minutes on 2 idle cores)
    python scripts/bench.py --quick    # fewer requests, 200 conferences, 1 mixer minute

The floors are measured in the same run, side by side (interleaved rounds):

- REST rows: ``scripts/bench_http.py`` (a bare Flask/waitress app answering a fixed
  participant body; twilio-python with keep-alive against both servers). The RSS row's
  floor is that app in a process that has also imported the rest of the stated stack
  (click, SQLAlchemy, marshmallow) and opened SQLite: the libraries' own share.
- Server start: from spawn to the first answer, as the environment runs Python (with
  ``PYTHONDONTWRITEBYTECODE`` set, nothing of the package is compiled ahead, and the row
  says so); and again with the bytecode compiled by an earlier start, for comparison.
- Engine rows: ``scripts/bench_engine.py`` (250 participants for 60 virtual minutes; see
  the profile-guided plan in its docstring): the median of 9 runs (1 in ``--quick``) after
  a warm-up run; the journals of all of them must be byte-identical.
- Scale row: ``scripts/bench_scale.py`` (1,000 conferences x 3 participants x 10 virtual
  minutes: wall time, memory, and memory growth per finished conference beyond its rows).
- Mixer rows: ``scripts/bench_mixer.py`` (mix-minus against a numpy floor; ratio =
  floor / mixer, target >= 0.5).

The machine is usually shared: run it twice and read medians; every figure is itself a
median of several requests or runs. No timing is asserted in the test suite; this is the gate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def sub(script, *args):
    """Run a measure in its own process (so memory and imports do not leak between rows)."""
    out = subprocess.run([sys.executable, os.path.join(HERE, script), *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out[out.index("{"):])


def engine_rows(runs):
    """Wall seconds (the target) and CPU seconds (what a busy shared machine hides): the
    median of ``runs`` after one warm-up run of each scenario. The first scenario in a
    process also pays one-time work a test run pays once, not per test (the lazy imports
    of the REST parameter schemas, the cookie jar, SQLAlchemy's statement caches; the
    fixture row measures what each test pays); the warm-up's journal still counts for
    the identity check."""
    import time

    import bench_engine as be

    walls, cpus, journals = [], [], set()
    for i in range(runs + 1):
        split = {}
        emu, wall = be.scenario(250, 60, split=split)
        if i:
            walls.append(wall)
            cpus.append(split["cpu"])
        journals.add(be.journal_bytes(emu))
        emu.stop()
    plain, plain_cpu = [], []
    for i in range(runs + 1):
        c = time.process_time()
        wall = be.plain_scenario(250, 60)
        if i:
            plain.append(wall)
            plain_cpu.append(time.process_time() - c)
    return {"all_s": statistics.median(walls), "all_cpu_s": statistics.median(cpus),
            "plain_s": statistics.median(plain), "plain_cpu_s": statistics.median(plain_cpu),
            "identical": len(journals) == 1, "runs": runs,
            # Printed, so that two runs of this script can be compared too.
            "journal_sha256": hashlib.sha256(min(journals)).hexdigest()[:12]}


def mixer_rows(minutes):
    import bench_mixer as bm

    from twilio_conf_emulator.config import EmulatorConfig

    config = EmulatorConfig()
    return {n: bm.run(n, minutes, 5.0, config)["ratio"] for n in (20, 250)}


def table(r, scale_n, mixer_minutes):
    h, e, s, m = r["http"], r["engine"], r["scale"], r["mixer"]
    rows = [
        ("participant fetch over HTTP", f"{h['fetch_ms']:.2f} ms", f"{h['floor_fetch_ms']:.2f} ms",
         h["fetch_ms"] / h["floor_fetch_ms"], "<= 1.2x", h["fetch_ms"] / h["floor_fetch_ms"] <= 1.2),
        ("participant update (hold) over HTTP", f"{h['update_ms']:.2f} ms",
         f"{h['floor_update_ms']:.2f} ms", h["update_ms"] / h["floor_update_ms"], "<= 1.3x",
         h["update_ms"] / h["floor_update_ms"] <= 1.3),
        ("participant update in-process", f"{r['http']['update_inprocess_ms']:.2f} ms", "", None,
         "<= 0.5 ms", h["update_inprocess_ms"] <= 0.5),
        ("Emulator() + first request (fixture)", f"{h['fixture_ms']:.1f} ms", "", None, "<= 3 ms",
         h["fixture_ms"] <= 3),
        ("250 parts x 60 min, all events", f"{e['all_s']:.2f} s", f"cpu {e['all_cpu_s']:.2f} s", None, "<= 0.6 s",
         e["all_s"] <= 0.6),
        ("same, start/end callbacks only", f"{e['plain_s']:.2f} s", f"cpu {e['plain_cpu_s']:.2f} s", None, "<= 0.25 s",
         e["plain_s"] <= 0.25),
        ("journals of every run byte-identical", "yes" if e["identical"] else "NO",
         e["journal_sha256"], None, "yes", e["identical"]),
        ("server start to first answer", f"{h['start_s']:.2f} s",
         "no .pyc kept" if h["bytecode_off"] else "", None, "<= 0.5 s", h["start_s"] <= 0.5),
        ("  same, bytecode already compiled", f"{h['start_cached_s']:.2f} s", "", None, "report",
         True),
        (f"server RSS idle / after {h['rss_requests']:,} requests",
         f"{h['rss_idle_mb']:.1f} / {h['rss_after_mb']:.1f} MB",
         f"stack {h['rss_stack_floor_mb']:.1f} MB", None, "<= 60 / 70 MB",
         h["rss_idle_mb"] <= 60 and h["rss_after_mb"] <= 70),
        ("list 100 participants over HTTP", f"{h['list100_ms']:.2f} ms", "", None, "<= 3 ms",
         h["list100_ms"] <= 3),
        (f"{scale_n:,} confs x 3 x 10 min, all events", f"{s['wall_s']:.1f} s, {s['rss_mb']:.0f} MB",
         "", None, "report", True),
        ("  python heap per finished conf", f"{s['heap_blocks_per_conf']:.1f} blocks",
         f"rows {s['store_growth_kb_per_conf']:.1f} KB", None, "~0 (<= 5)",
         s["heap_blocks_per_conf"] <= 5),
        ("  RSS per finished conf beyond rows", f"{s['beyond_rows_kb_per_conf']:.1f} KB", "", None,
         "report (noisy)", True),
        (f"mixer 20 parts, {mixer_minutes:g} min (floor/mixer)", f"{m[20]:.2f}", "numpy", None,
         ">= 0.5", m[20] >= 0.5),
        (f"mixer 250 parts, {mixer_minutes:g} min (floor/mixer)", f"{m[250]:.2f}", "numpy", None,
         ">= 0.5", m[250] >= 0.5),
    ]
    head = f"{'measure':<42} {'figure':>16} {'floor | cpu':>14} {'ratio':>6}  {'target':<14} ok"
    lines = [head, "-" * len(head)]
    for name, fig, floor, ratio, target, ok in rows:
        lines.append(f"{name:<42} {fig:>16} {floor:>14} {'' if ratio is None else f'{ratio:.2f}x':>6}"
                     f"  {target:<14} {'yes' if ok else 'NO'}")
    return "\n".join(lines), all(ok for *_, ok in rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short run (fewer requests and conferences)")
    ap.add_argument("--json", action="store_true", help="also print the raw figures as JSON")
    args = ap.parse_args(argv)
    q = ["--quick"] if args.quick else []
    scale_n = 200 if args.quick else 1000
    mixer_minutes = 1.0 if args.quick else 2.0
    r = {"http": sub("bench_http.py", *q), "engine": engine_rows(1 if args.quick else 9),
         "scale": sub("bench_scale.py", *q), "mixer": mixer_rows(mixer_minutes)}
    text, ok = table(r, scale_n, mixer_minutes)
    print(f"twilio-conf-emulator benchmark ({'quick' if args.quick else 'full'} run, "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    print(text)
    if args.json:
        print(json.dumps(r, indent=1, default=str))
    print("all targets met" if ok else "some targets missed (NO above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
