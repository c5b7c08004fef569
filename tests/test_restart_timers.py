"""``kill -9`` a real ``serve`` while a timer of each family is pending, restart it on the same
store (a SQLite file, and a PostgreSQL database): the timer fires once, on schedule, and its
callback is sent exactly once. Every scheduled action is a stored record
(``require_stored_actions`` is on for the whole suite, serve processes included)."""

import json
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import serve_process
from test_serve_operations import client_for, control

from twilio_conf_emulator.client import server_client

HOOK = "http://127.0.0.1:9/hook"  # nothing listens: each attempt is journaled (11200)


def killed(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def restarted(tmp_path, store_url, *extra):
    proc, base = serve_process.start(tmp_path, store_url, *extra, name="ready2")
    assert base, proc.stderr.read().decode()
    return proc, base


def journal(base, **match):
    entries = control(base, "GET", "/webhooks")["webhooks"]
    return [e for e in entries if all(dict(map(tuple, e["params"])).get(k) == v
                                      for k, v in match.items())]


def test_an_amd_result_pending_at_the_kill_arrives_once_after_the_restart(tmp_path, store_url):
    proc, base = serve_process.start(tmp_path, store_url)
    try:
        control(base, "POST", "/phones", {"number": "+15550005555",
                                          "answered_by": "machine_end_beep",
                                          "greeting_seconds": 20})
        c = client_for(base)
        call = c.calls.create(to="+15550005555", from_="+15550001111",
                              twiml="<Response><Pause length='120'/></Response>",
                              machine_detection="DetectMessageEnd", async_amd="true",
                              async_amd_status_callback=HOOK)
        control(base, "POST", "/clock/advance", {"seconds": 10})  # answered at 2
        assert c.calls(call.sid).fetch().status == "in-progress"
        assert journal(base, CallSid=call.sid, AnsweredBy="machine_end_beep") == []
    finally:
        killed(proc)
    proc, base = restarted(tmp_path, store_url)
    try:
        control(base, "POST", "/clock/advance", {"seconds": 11})  # t=21: not yet (22)
        assert journal(base, CallSid=call.sid, AnsweredBy="machine_end_beep") == []
        control(base, "POST", "/clock/advance", {"seconds": 30})
        sent = journal(base, CallSid=call.sid, AnsweredBy="machine_end_beep")
        assert [e["kind"] for e in sent] == ["amd-status"]
        assert client_for(base).calls(call.sid).fetch().answered_by == "machine_end_beep"
    finally:
        serve_process.stop(proc)


def test_a_speech_gather_under_way_at_the_kill_completes_after_the_restart(tmp_path,
                                                                           store_url):
    proc, base = serve_process.start(tmp_path, store_url)
    try:
        control(base, "POST", "/phones", {"number": "+15550006666",
                                          "speech": [{"at": 5, "text": "book a table"}]})
        c = client_for(base)
        start = control(base, "GET", "/clock")["epoch"]
        call = c.calls.create(
            to="+15550006666", from_="+15550001111",
            twiml=f"<Response><Gather input='speech' timeout='60' speechTimeout='auto'"
                   f" action='{HOOK}'/></Response>")
        control(base, "POST", "/clock/advance", {"seconds": 7.5})  # speaking since 7
        assert journal(base, CallSid=call.sid, SpeechResult="book a table") == []
    finally:
        killed(proc)
    proc, base = restarted(tmp_path, store_url)
    try:
        control(base, "POST", "/clock/advance", {"seconds": 10})
        sent = journal(base, CallSid=call.sid, SpeechResult="book a table")
        assert [e["kind"] for e in sent] == ["gather"]
        # The party speaks at 7 (answered at 2, speech at 5): 3 words at 0.4 s, then the
        # "auto" speech timeout (1 s).
        assert sent[0]["time"] - start == pytest.approx(7 + 1.2 + 1.0)
    finally:
        serve_process.stop(proc)


def test_a_reservation_times_out_and_a_task_ttl_ends_on_schedule_across_a_restart(
        tmp_path, store_url):
    proc, base = serve_process.start(tmp_path, store_url)
    try:
        tr = server_client(base, serve_process.ACCOUNT, serve_process.TOKEN).taskrouter.v1
        ws = tr.workspaces.create(friendly_name="Restart", event_callback_url=HOOK)
        acts = {a.friendly_name: a.sid for a in tr.workspaces(ws.sid).activities.list()}
        q = tr.workspaces(ws.sid).task_queues.create(friendly_name="Q")
        wf = tr.workspaces(ws.sid).workflows.create(
            friendly_name="F", task_reservation_timeout=30, configuration=json.dumps(
                {"task_routing": {"filters": [], "default_filter": {"queue": q.sid}}}))
        tr.workspaces(ws.sid).workers.create(friendly_name="w", activity_sid=acts["Available"])
        task = tr.workspaces(ws.sid).tasks.create(workflow_sid=wf.sid, attributes='{"a": 1}')
        # A second task waits (the only worker is reserved) until its TTL: 40 s.
        waiting = tr.workspaces(ws.sid).tasks.create(workflow_sid=wf.sid, attributes='{"a": 2}',
                                                     timeout=40)
        control(base, "POST", "/clock/advance", {"seconds": 10})
        res = tr.workspaces(ws.sid).tasks(task.sid).reservations.list()
        assert [r.reservation_status for r in res] == ["pending"]
        created = journal(base, EventType="reservation.created")[0]["time"]
    finally:
        killed(proc)
    proc, base = restarted(tmp_path, store_url)
    try:
        tr = server_client(base, serve_process.ACCOUNT, serve_process.TOKEN).taskrouter.v1
        control(base, "POST", "/clock/advance", {"seconds": 15})  # 25 s after it was made
        assert tr.workspaces(ws.sid).tasks(task.sid).reservations(res[0].sid).fetch() \
            .reservation_status == "pending"
        control(base, "POST", "/clock/advance", {"seconds": 10})
        assert tr.workspaces(ws.sid).tasks(task.sid).reservations(res[0].sid).fetch() \
            .reservation_status == "timeout"
        timeouts = journal(base, EventType="reservation.timeout")
        assert len(timeouts) == 1
        assert timeouts[0]["time"] - created == pytest.approx(30)
        assert tr.workspaces(ws.sid).tasks(waiting.sid).fetch().assignment_status != "canceled"
        control(base, "POST", "/clock/advance", {"seconds": 20})
        assert tr.workspaces(ws.sid).tasks(waiting.sid).fetch().assignment_status == "canceled"
        ttl = journal(base, EventType="task.timeout", TaskSid=waiting.sid)
        assert len(ttl) == 1 and ttl[0]["time"] - created == pytest.approx(40)
    finally:
        serve_process.stop(proc)


class _WaitApp(BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).count += 1
        body = (f"<Response><Say>You are caller number {type(self).count}</Say>"
                "<Pause length='3'/><Redirect/></Response>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def wait_app():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WaitApp)
    _WaitApp.count = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/wait"
    server.shutdown()
    server.server_close()


def test_a_wait_url_redirect_keeps_going_across_a_restart(tmp_path, store_url, wait_app):
    proc, base = serve_process.start(tmp_path, store_url)
    try:
        c = client_for(base)
        p = c.conferences("Room").participants.create(from_="+15550001111", to="+15550007777",
                                                      wait_url=wait_app)
        control(base, "POST", "/clock/advance", {"seconds": 9})  # requests at 2 and 7
        assert len(journal(base, CallSid=p.call_sid)) == 2
    finally:
        killed(proc)
    proc, base = restarted(tmp_path, store_url)
    try:
        control(base, "POST", "/clock/advance", {"seconds": 10})
        waits = [e for e in control(base, "GET", "/webhooks")["webhooks"]
                 if e["kind"] == "wait-url"]
        start = waits[0]["time"] - 2
        # Say "You are caller number N" (5 words, 2 s) + 3 s: a new request every 5 s, each
        # sent once (the app counts 4 requests).
        assert [w["time"] - start for w in waits] == [2.0, 7.0, 12.0, 17.0]
        assert _WaitApp.count == 4
    finally:
        serve_process.stop(proc)


@pytest.mark.parametrize("window", [300, 1.5])  # one window; windows re-read after restart
def test_speaker_events_pending_at_the_kill_are_sent_once_after_the_restart(tmp_path,
                                                                            store_url, window):
    import numpy as np
    import soundfile as sf
    from audio_helpers import RATE, tone

    # 1 s of tone, 2 s of silence, 1.5 s of tone, 3 s of silence (test_audio_speaker's voice).
    voice = tmp_path / "talk.wav"
    sf.write(voice, np.concatenate([tone(440, 1.0), np.zeros(2 * RATE), tone(440, 1.5),
                                    np.zeros(3 * RATE)]), RATE, subtype="PCM_16")
    settings = ("--set", f"speech_window_seconds={window}")
    proc, base = serve_process.start(tmp_path, store_url, *settings)
    try:
        control(base, "POST", "/phones", {"number": "+15552000001", "audio": str(voice)})
        control(base, "POST", "/phones", {"number": "+15552000002"})
        c = client_for(base)
        t0 = control(base, "GET", "/clock")["epoch"]
        a = c.conferences("Talk").participants.create(
            from_="+15550000000", to="+15552000001", conference_status_callback=HOOK,
            conference_status_callback_event=["start", "join", "speaker"])
        c.conferences("Talk").participants.create(from_="+15550000000", to="+15552000002")
        control(base, "POST", "/clock/advance", {"seconds": 4})  # between the utterances
    finally:
        killed(proc)
    proc, base = restarted(tmp_path, store_url, *settings)
    try:
        control(base, "POST", "/clock/advance", {"seconds": 20})
        got = [(dict(map(tuple, e["params"]))["StatusCallbackEvent"].rsplit("-", 1)[1],
                round(e["time"] - t0, 3))
               for e in journal(base, CallSid=a.call_sid)
               if "speech" in dict(map(tuple, e["params"])).get("StatusCallbackEvent", "")]
        assert got == [("start", 2.0), ("stop", 3.8), ("start", 5.0), ("stop", 7.3)]
    finally:
        serve_process.stop(proc)
