#!/usr/bin/env python
"""The REST-side measures of issue 11, each against a floor measured in the same run.

- **floor**: a bare Flask app under waitress (the server stack ``serve`` uses, same
  threads) answering the participant routes with a fixed participant body (the very JSON
  the emulator answered), in its own process as the emulator is.
- **emulator**: ``twilio-conf-emulator serve`` on a SQLite file (what ``serve`` does by
  default), manual clock, in its own process.
- Both are driven by twilio-python with keep-alive (``EmulatorHttpClient``, a
  ``TwilioHttpClient``): ``participants(sid).fetch()`` and ``.update(hold=...)``.

- **stack floor** (for the RSS row only): the same bare app in a process that has also
  imported the other libraries ``serve`` runs on (click, SQLAlchemy's ORM and SQLite
  dialect, marshmallow) and opened a SQLite file through SQLAlchemy: what the stated
  dependencies cost in memory before any of the emulator's own code.

Also measured here: a participant update in-process (``Emulator().client``, no socket),
what the pytest fixture costs per test (``Emulator(clock="manual")``, its first request,
``stop``), the server's start to first answer, its RSS idle and after many requests, and a
list of 100 participants over HTTP.

Every figure is a median of per-request times (p50), in milliseconds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)
SID = "AC" + "a" * 32  # config.DEFAULT_ACCOUNT_SID


# --- the floor server -------------------------------------------------------------------------
def floor_main(port_file, body_file, threads, stack=False):
    """Run the floor: a fixed participant body for GET and POST on the participant route.
    ``stack``: first import the rest of the libraries ``serve`` runs on and open a SQLite
    file through SQLAlchemy, as ``serve`` does before its first answer."""
    from flask import Flask, Response
    from waitress.server import create_server

    if stack:
        import click  # noqa: F401 - imported for its memory, as the command line does
        import marshmallow  # noqa: F401
        import sqlalchemy.dialects.sqlite  # noqa: F401
        import sqlalchemy.orm  # noqa: F401
        from sqlalchemy import create_engine

        engine = create_engine(f"sqlite:///{os.path.dirname(port_file)}/stack-floor.db")
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    body = open(body_file, "rb").read()
    app = Flask("floor")

    @app.route("/2010-04-01/Accounts/<a>/Conferences/<c>/Participants/<p>.json",
               methods=["GET", "POST"])
    def participant(a, c, p):
        return Response(body, 200, content_type="application/json")

    @app.route("/health")
    def health():
        return "ok"

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    with open(port_file, "w") as fh:
        fh.write(f"http://127.0.0.1:{server.effective_port}\n")
    server.run()


# --- processes --------------------------------------------------------------------------------
def _wait_for(path, proc, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path) and open(path).read().strip():
            return open(path).read().strip()
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        time.sleep(0.002)
    raise TimeoutError(path)


def start_emulator(tmp, threads=16, bytecode_cache=None):
    """``(process, base url, seconds from spawn to the first answer)``. ``bytecode_cache``: a
    directory the server's Python keeps its compiled modules in (``PYTHONPYCACHEPREFIX``),
    even where the environment turns writing them off (``PYTHONDONTWRITEBYTECODE``)."""
    import requests

    ready = os.path.join(tmp, f"ready-{time.monotonic_ns()}")
    db = os.path.join(tmp, f"emu-{time.monotonic_ns()}.db")
    env = dict(os.environ, TWILIO_EMULATOR_READY_FILE=ready)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = bytecode_cache
    t0 = time.perf_counter()
    proc = subprocess.Popen([os.path.join(BIN, "twilio-conf-emulator"), "serve", "--port", "0",
                             "--db", f"sqlite:///{db}", "--threads", str(threads)],
                            env=env, stderr=subprocess.DEVNULL)
    url = _wait_for(ready, proc)
    s = requests.Session()
    s.trust_env = False
    while True:
        try:
            if s.get(f"{url}/_emulator/health", timeout=5).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.002)
    return proc, url, time.perf_counter() - t0


def start_floor(tmp, body, threads=16, stack=False):
    port_file = os.path.join(tmp, "stack-floor-port" if stack else "floor-port")
    body_file = os.path.join(tmp, "floor-body.json")
    open(body_file, "wb").write(body)
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                             "--stack-floor" if stack else "--floor", port_file,
                             body_file, str(threads)])
    return proc, _wait_for(port_file, proc)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- clients ----------------------------------------------------------------------------------
def client_for(url):
    from twilio.rest import Client

    from twilio_conf_emulator.client import EmulatorHttpClient
    from twilio_conf_emulator.config import DEFAULT_AUTH_TOKEN

    return Client(SID, DEFAULT_AUTH_TOKEN, http_client=EmulatorHttpClient(base_url=url))


def p50_ms(fn, n):
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def a_participant(emu, client, advance):
    """One in-progress participant in a conference: (conference sid, call sid)."""
    p = client.conferences("Bench").participants.create(from_="+15550100000", to="+15550100001")
    advance(10)
    return p.conference_sid, p.call_sid


# --- the measures -----------------------------------------------------------------------------
def http_rows(n, rss_requests):
    """fetch / update over HTTP against the floor, server start, RSS, list of 100."""
    from twilio_conf_emulator.remote import RemoteEmulator

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        starts = []
        for _ in range(3):
            proc, url, took = start_emulator(tmp)
            starts.append(took)
            stop(proc)
        out["start_s"] = statistics.median(starts)
        # The same with every module's bytecode already compiled, as after the first start
        # of a default Python (the row above compiles any the environment did not keep).
        cache = os.path.join(tmp, "pycache")
        starts = []
        for i in range(4):
            proc, url, took = start_emulator(tmp, bytecode_cache=cache)
            if i:  # the first one writes the cache
                starts.append(took)
            stop(proc)
        out["start_cached_s"] = statistics.median(starts)
        out["bytecode_off"] = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))

        proc, url, _ = start_emulator(tmp)
        try:
            out["rss_idle_mb"] = rss_mb(proc.pid)
            remote = RemoteEmulator(url)
            client = client_for(url)
            cf, ca = a_participant(remote, client, remote.advance)
            part = client.conferences(cf).participants(ca)
            part.fetch()
            body = remote._session.get(
                f"{url}/2010-04-01/Accounts/{SID}/Conferences/{cf}/Participants/{ca}.json",
                auth=(SID, remote.auth_token)).content
            floor, floor_url = start_floor(tmp, body)
            try:
                fpart = client_for(floor_url).conferences(cf).participants(ca)
                fpart.fetch()
                # Interleaved rounds so both sides see the same machine load.
                emu_f, flo_f, emu_u, flo_u = [], [], [], []
                for _ in range(5):
                    emu_f.append(p50_ms(lambda i: part.fetch(), n // 5))
                    flo_f.append(p50_ms(lambda i: fpart.fetch(), n // 5))
                    emu_u.append(p50_ms(lambda i: part.update(hold=i % 2 == 0, hold_url=""), n // 5))
                    flo_u.append(p50_ms(lambda i: fpart.update(hold=i % 2 == 0, hold_url=""), n // 5))
            finally:
                stop(floor)
            out["fetch_ms"], out["floor_fetch_ms"] = statistics.median(emu_f), statistics.median(flo_f)
            out["update_ms"], out["floor_update_ms"] = statistics.median(emu_u), statistics.median(flo_u)
            done = 2 * n
            while done < rss_requests:
                part.fetch() if done % 2 else part.update(hold=done % 4 == 0, hold_url="")
                done += 1
            out["rss_after_mb"], out["rss_requests"] = rss_mb(proc.pid), done
            out["rss_stack_floor_mb"] = stack_floor_rss(tmp, body)

            for i in range(99):
                client.conferences(cf).participants.create(from_="+15550100000", to=f"+1555020{i:04d}")
            remote.advance(10)
            listed = client.conferences(cf).participants.list(limit=100)
            assert len(listed) == 100, len(listed)
            out["list100_ms"] = p50_ms(lambda i: client.conferences(cf).participants.list(limit=100),
                                       max(5, n // 20))
        finally:
            stop(proc)
    return out


def stack_floor_rss(tmp, body):
    """Idle RSS of the stack floor after its first answer, as the emulator's is taken."""
    import requests

    proc, url = start_floor(tmp, body, stack=True)
    try:
        s = requests.Session()
        s.trust_env = False
        assert s.get(f"{url}/health", timeout=10).text == "ok"
        return rss_mb(proc.pid)
    finally:
        stop(proc)


def inprocess_rows(n):
    """A participant update with no socket, and what the pytest fixture costs per test."""
    from twilio_conf_emulator import Emulator

    emu = Emulator(clock="manual")
    cf, ca = a_participant(emu, emu.client, emu.advance)
    part = emu.client.conferences(cf).participants(ca)
    update = p50_ms(lambda i: part.update(hold=i % 2 == 0, hold_url=""), n)
    emu.stop()

    def fixture(_):
        # What ``twilio_emulator`` + ``twilio_client`` do for a test, and its first request.
        e = Emulator(clock="manual")
        e.client.conferences.list(limit=1)
        e.stop()

    fixture(0)
    return {"update_inprocess_ms": update, "fixture_ms": p50_ms(fixture, max(10, n // 10))}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("--floor", "--stack-floor"):
        floor_main(argv[1], argv[2], int(argv[3]), stack=argv[0] == "--stack-floor")
        return 0
    quick = "--quick" in argv
    n = 100 if quick else 500
    print(json.dumps({**inprocess_rows(n), **http_rows(n, 2000 if quick else 10000)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
