"""Start-up and ``/_emulator/health`` say whether <Say> is spoken by espeak-ng or the tone
stand-in, so a CI log explains why a recording sounds the way it does."""

import os
import sys

import requests
from engine_harness import serve_process, server_stderr

from twilio_conf_emulator import Emulator


def _fake_espeak(tmp_path):
    fake = tmp_path / "espeak-ng"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\n")
    fake.chmod(0o755)
    return f"{tmp_path}{os.pathsep}{os.environ['PATH']}"


def test_health_names_the_say_engine(tmp_path, monkeypatch):
    web = Emulator().app.test_client()
    monkeypatch.setenv("TWILIO_CONF_EMULATOR_TTS", "stand-in")
    assert web.get("/_emulator/health").get_json()["say_engine"] == "stand-in"
    monkeypatch.setenv("TWILIO_CONF_EMULATOR_TTS", "auto")
    monkeypatch.setenv("PATH", _fake_espeak(tmp_path))
    assert web.get("/_emulator/health").get_json()["say_engine"] == "espeak-ng"


def test_serve_says_it_at_start_up(tmp_path):
    for env, expected, line in (
        ({"TWILIO_CONF_EMULATOR_TTS": "stand-in"}, "stand-in", b"<Say> uses the tone stand-in"),
        ({"PATH": _fake_espeak(tmp_path)}, "espeak-ng", b"<Say> uses espeak-ng"),
    ):
        proc, url = serve_process(env=env)
        try:
            with requests.Session() as http:
                http.trust_env = False  # a proxy must never capture loopback traffic
                health = http.get(url + "/_emulator/health", timeout=10).json()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        assert health["say_engine"] == expected
        assert line in server_stderr(proc)
