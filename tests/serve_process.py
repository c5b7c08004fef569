"""Start ``twilio-conf-emulator serve`` as a real process (for restart and lock tests)."""

import os
import subprocess
import sys
import time

ACCOUNT = "AC" + "1" * 32
TOKEN = "server-token"


def start(tmp_path, db_url, *extra, name="ready"):
    """(process, base URL), or (process, None) when it exited before becoming ready."""
    ready = tmp_path / name
    if ready.exists():
        ready.unlink()
    env = dict(os.environ, TWILIO_EMULATOR_READY_FILE=str(ready))
    env.pop("TWILIO_ACCOUNT_SID", None)
    env.pop("TWILIO_AUTH_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "twilio_conf_emulator.cli", "serve", "--port", "0",
         "--db", db_url, "--clock", "manual", "--seed", "5",
         "--account-sid", ACCOUNT, "--auth-token", TOKEN, *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (ready.exists() and ready.read_text().strip()):
        if proc.poll() is not None:
            return proc, None
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("serve did not start")
        time.sleep(0.05)
    return proc, ready.read_text().strip()


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
