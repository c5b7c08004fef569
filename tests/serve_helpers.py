"""Start ``twilio-conf-emulator serve`` as a user would (a subprocess), for the tests that
drive it from other processes: the HTTPS proxy, node clients, curl and the README."""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

ACCOUNT_SID = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
AUTH_TOKEN = "emulator-auth-token"
CLI = [sys.executable, "-m", "twilio_conf_emulator.cli"]
NODE_DIR = os.path.join(os.path.dirname(__file__), "node")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A running server: ``url``, ``proxy_url`` (when started with a proxy), ``env`` (the
    variables ``twilio-conf-emulator env`` prints, plus credentials)."""

    def __init__(self, tmp_path, proxy=True, extra_args=()):
        self.home = str(tmp_path / "state")
        ready = tmp_path / "ready"
        self.proxy_port = free_port() if proxy else None
        args = CLI + ["serve", "--port", "0", "--db", "sqlite://", "--clock", "manual",
                      "--state-dir", self.home, *extra_args]
        if proxy:
            args += ["--https-proxy", str(self.proxy_port)]
        env = dict(os.environ, TWILIO_EMULATOR_READY_FILE=str(ready))
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
            env.pop(name, None)
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not (ready.exists() and ready.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.terminate()
                err = self.proc.communicate(timeout=20)[1].decode()
                raise RuntimeError(f"serve did not start: {err}")
            time.sleep(0.05)
        self.url = ready.read_text().strip()
        self.proxy_url = f"http://127.0.0.1:{self.proxy_port}" if proxy else None

    def client_env(self):
        """The environment of a client process: what `env` prints, and the credentials."""
        out = subprocess.run(CLI + ["env", "--proxy-port", str(self.proxy_port),
                                    "--state-dir", self.home],
                             capture_output=True, text=True, check=True).stdout
        env = dict(os.environ, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN)
        for line in out.splitlines():
            if line.startswith("export "):
                name, _, value = line[len("export "):].split("#")[0].strip().partition("=")
                env[name] = value
        return env

    def advance(self, seconds):
        s = requests.Session()
        s.trust_env = False
        s.post(f"{self.url}/_emulator/clock/advance", json={"seconds": seconds},
               timeout=60).raise_for_status()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


@pytest.fixture(scope="session")
def node_packages():
    for tool in ("node", "npm"):
        assert shutil.which(tool), f"{tool} is needed by the twilio-node/twilio-cli tests"
    wanted = [os.path.join(NODE_DIR, "node_modules", name, "package.json")
              for name in ("twilio", "twilio-cli")]
    import fcntl

    # One install at a time (pytest -n runs a session per worker): the others wait, then
    # find it done.
    with open(os.path.join(NODE_DIR, "node_modules.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all(os.path.exists(p) for p in wanted):
            out = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                                 cwd=NODE_DIR, capture_output=True, text=True, timeout=900)
            assert out.returncode == 0, f"npm ci in tests/node failed:\n{out.stderr[-3000:]}"
    return NODE_DIR
