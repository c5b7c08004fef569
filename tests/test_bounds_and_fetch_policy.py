"""Bounds (journaled answer bodies, an advance under concurrent writers) and the outbound
fetch policy (--allow-files, --fetch-allow): refused fetches are journaled and alerted, never
a crash."""

import threading
import time

import pytest
from flask import Flask
from twilio.twiml.voice_response import VoiceResponse

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig

NUMBER = "+15550900000"


def big_answer_app(size):
    web = Flask(__name__)

    @web.post("/status")
    def status():
        return "x" * size, 200, {"Content-Type": "text/plain"}

    return web


def test_webhook_answers_are_journaled_up_to_the_cap_with_their_true_size():
    emu = Emulator(config=EmulatorConfig(strict_actions=True, journal_body_max_bytes=1024))
    try:
        emu.deliver_webhooks_to(big_answer_app(5_000_000))
        emu.client.calls.create(to="+15550001111", from_="+15550002222",
                                twiml="<Response><Hangup/></Response>",
                                status_callback="http://app.test/status")
        emu.advance(10)
        entries = emu.webhooks.all(kind="call-status")
        assert entries
        for e in entries:
            assert e["body_size"] == 5_000_000
            assert e["body"] == "x" * 1024
    finally:
        emu.stop()


def test_an_advance_finishes_while_another_thread_keeps_queueing_webhooks(emu):
    slow = Flask(__name__)

    @slow.post("/cb")
    def cb():
        time.sleep(0.002)  # each delivery takes a moment, as a real app's would
        return ""

    emu.deliver_webhooks_to(slow)
    stop = threading.Event()
    made = []

    def writer():
        client = emu.make_client()
        while not stop.is_set():
            c = client.calls.create(
                from_="+15550000001", to=f"+1555{len(made):07d}",
                twiml="<Response><Pause length='60'/></Response>",
                status_callback="http://app.test/cb",
                status_callback_event=["initiated", "ringing"])
            made.append(c.sid)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    while len(made) < 3:
        time.sleep(0.01)
    done = threading.Event()

    def advance():
        emu.advance(1)
        done.set()

    runner = threading.Thread(target=advance, daemon=True)
    runner.start()
    finished = done.wait(120)
    stop.set()
    t.join(30)
    assert finished, "advance never returned while a writer kept queueing webhooks"
    # Nothing was lost: what was queued after the run goes out on the next one.
    emu.advance(0)
    sent = {e["call_sid"] for e in emu.webhooks.all(kind="call-status")}
    assert set(made) <= sent


def play_app(url):
    web = Flask(__name__)

    @web.post("/voice")
    def voice():
        r = VoiceResponse()
        r.play(url)
        r.say("Still here.")
        return str(r), 200, {"Content-Type": "text/xml"}

    return web


def wav(path):
    from audio_helpers import tone

    from twilio_conf_emulator.media.audio import encode_wav

    path.write_bytes(encode_wav(tone(440, 1)))
    return path


@pytest.mark.parametrize("loopback,allowed,readable", [
    (True, None, True),         # loopback-only: any local path, as before
    (False, None, False),       # any other bind: none unless allowed
    (False, "inside", True),
    (False, "elsewhere", False),
    (True, "elsewhere", False),  # --allow-files narrows loopback too
])
def test_file_audio_is_read_only_where_allowed(tmp_path, loopback, allowed, readable):
    (tmp_path / "inside").mkdir()
    (tmp_path / "elsewhere").mkdir()
    voice = wav(tmp_path / "inside" / "voice.wav")
    config = EmulatorConfig(strict_actions=True, loopback_only=loopback,
                            allow_files=[str(tmp_path / allowed)] if allowed else [])
    emu = Emulator(config=config)
    try:
        http = emu.app.test_client()
        import base64

        creds = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
        resp = http.post("/_emulator/phones", json={"number": "+15550001111",
                                                      "audio": str(voice)},
                         headers={"Authorization": f"Basic {creds}"})
        assert resp.status_code == (201 if readable else 400), resp.get_json()
        if not readable:
            assert "--allow-files" in resp.get_json()["message"]
        # The same file as a <Play> in TwiML: refused is an 11200 alert, and the call goes on.
        emu.deliver_webhooks_to(play_app(voice.as_uri()))
        emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                                 voice_url="http://app.test/voice")
        sid = emu.call("+15559990000", NUMBER)
        emu.advance(10)
        refused = [a for a in emu.alerts() if a["code"] == 11200 and a["call_sid"] == sid]
        assert bool(refused) != readable
        if refused:
            assert "allow-files" in refused[0]["message"]
            entries = emu.webhooks.all(kind="play-media", call_sid=sid)
            assert len(entries) == 1 and entries[0]["status"] is None
            assert entries[0]["error_code"] == 11200 and entries[0]["url"] == voice.as_uri()
        assert emu.client.calls(sid).fetch().status in ("in-progress", "completed")
    finally:
        emu.stop()


def test_fetch_allow_limits_the_hosts_webhooks_go_to():
    emu = Emulator(config=EmulatorConfig(strict_actions=True, fetch_allow=["app.test"]))
    try:
        emu.deliver_webhooks_to(big_answer_app(10))
        for host in ("app.test", "internal.example:8080"):
            emu.client.calls.create(to="+15550001111", from_="+15550002222",
                                    twiml="<Response><Hangup/></Response>",
                                    status_callback=f"http://{host}/status")
        emu.advance(10)
        by_host = {}
        for e in emu.webhooks.all(kind="call-status"):
            by_host.setdefault(e["url"].split("/")[2], []).append(e)
        assert all(e["status"] == 200 for e in by_host["app.test"])
        refused = by_host["internal.example:8080"]
        assert refused and all(e["status"] is None and e["error_code"] == 11200
                               for e in refused)
        assert "fetch policy" in refused[0]["error_message"]
        assert any(a["code"] == 11200 and "fetch-allow" in a["message"] for a in emu.alerts())
    finally:
        emu.stop()
