"""``serve`` as operators run it: one process per database, and a kill -9 loses nothing that
was acknowledged. Each test runs on a SQLite file and on a PostgreSQL database."""

import json
import signal
import urllib.request

import serve_process
from serve_process import ACCOUNT, TOKEN
from twilio.rest import Client


def client_for(base):
    c = Client(ACCOUNT, TOKEN)
    c.api.base_url = base
    c.edge = c.region = None
    c.http_client.session.trust_env = False
    return c


def control(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}/_emulator{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def test_a_second_serve_on_a_served_store_refuses_with_a_one_line_reason(tmp_path, store_url):
    first, base = serve_process.start(tmp_path, store_url)
    try:
        assert base
        second, second_base = serve_process.start(tmp_path, store_url, name="ready2")
        assert second_base is None
        second.wait(timeout=30)
        err = second.stderr.read().decode()
        assert second.returncode != 0
        assert "already served" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
        # The first server is untouched and still answers.
        assert control(base, "GET", "/health")["status"] == "ok"
    finally:
        serve_process.stop(first)
    # Once the first is gone, the database can be served again.
    third, third_base = serve_process.start(tmp_path, store_url, name="ready3")
    try:
        assert third_base, third.stderr.read().decode()
    finally:
        serve_process.stop(third)


def test_kill_9_mid_conference_keeps_every_acknowledged_resource_and_journal_entry(
        tmp_path, store_url):
    proc, base = serve_process.start(tmp_path, store_url)
    try:
        c = client_for(base)
        p = c.conferences("Room").participants.create(
            from_="+15550000001", to="+15550000002",
            status_callback="http://127.0.0.1:9/cb", status_callback_event=["initiated"])
        c.conferences("Room").participants.create(from_="+15550000001", to="+15550000003")
        number = c.incoming_phone_numbers.create(phone_number="+15550009999")
        control(base, "POST", "/clock/advance", {"seconds": 5})
        journal = control(base, "GET", "/webhooks")["webhooks"]
        assert journal
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    proc, base = serve_process.start(tmp_path, store_url, name="ready2")
    try:
        assert base, proc.stderr.read().decode()
        c = client_for(base)
        assert c.calls(p.call_sid).fetch().status == "in-progress"
        assert c.conferences(p.conference_sid).fetch().status == "in-progress"
        assert c.incoming_phone_numbers(number.sid).fetch().phone_number == "+15550009999"
        again = control(base, "GET", "/webhooks")["webhooks"]
        assert [(e["id"], e["kind"], e["url"]) for e in again] == \
               [(e["id"], e["kind"], e["url"]) for e in journal]
    finally:
        serve_process.stop(proc)


def test_kill_9_mid_conference_then_the_calls_finish_on_schedule_with_callbacks_sent_once(
        tmp_path, store_url):
    hook = "http://127.0.0.1:9/hook"  # nothing listens: each attempt is journaled (11200)
    proc, base = serve_process.start(tmp_path, store_url)
    try:
        control(base, "POST", "/phones", {"number": "+15550000002", "hangup_after": 30})
        control(base, "POST", "/phones", {"number": "+15550000003", "hangup_after": 60})
        c = client_for(base)
        sids = []
        for to in ("+15550000002", "+15550000003"):
            p = c.conferences("Room").participants.create(
                from_="+15550000001", to=to, status_callback=hook,
                status_callback_event=["completed"], conference_status_callback=hook,
                conference_status_callback_event=["join", "leave", "end"])
            sids.append(p.call_sid)
        control(base, "POST", "/clock/advance", {"seconds": 10})
        before = control(base, "GET", "/clock")["epoch"]
        assert [c.calls(s).fetch().status for s in sids] == ["in-progress"] * 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    proc, base = serve_process.start(tmp_path, store_url, name="ready2")
    try:
        assert base, proc.stderr.read().decode()
        c = client_for(base)
        assert control(base, "GET", "/clock")["epoch"] == before
        assert control(base, "GET", "/clock")["pending"] >= 2  # the two hang-ups
        control(base, "POST", "/clock/advance", {"seconds": 25})
        first, second = (c.calls(s).fetch() for s in sids)
        assert (first.status, second.status) == ("completed", "in-progress")
        assert first.duration == "30"
        control(base, "POST", "/clock/advance", {"seconds": 30})
        second = c.calls(sids[1]).fetch()
        assert second.status == "completed" and second.duration == "60"
        journal = control(base, "GET", "/webhooks")["webhooks"]

        def sent(sid, name, value):
            return [e for e in journal if e["call_sid"] == sid
                    and [name, value] in [list(p) for p in e["params"]]]

        for sid in sids:
            assert len(sent(sid, "StatusCallbackEvent", "participant-leave")) == 1
            assert len(sent(sid, "CallStatus", "completed")) == 1
        ends = [e for e in journal if ["StatusCallbackEvent", "conference-end"]
                in [list(p) for p in e["params"]]]
        assert len(ends) == 1
    finally:
        serve_process.stop(proc)


def test_only_loopback_hosts_count_as_loopback_only():
    from twilio_conf_emulator.cli import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5"))


def test_kill_9_in_the_middle_of_twiml_then_the_document_carries_on_from_where_it_was(
        tmp_path, store_url):
    hook = "http://127.0.0.1:9/hook"
    twiml = ("<Response><Pause length='20'/><Say>one two three four five</Say>"
             "<Pause length='10'/><Hangup/></Response>")
    proc, base = serve_process.start(tmp_path, store_url)
    try:
        c = client_for(base)
        call = c.calls.create(to="+15550004444", from_="+15550001111", twiml=twiml,
                              status_callback=hook, status_callback_event=["completed"])
        control(base, "POST", "/clock/advance", {"seconds": 12})  # answered at 2, in the Pause
        assert c.calls(call.sid).fetch().status == "in-progress"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    proc, base = serve_process.start(tmp_path, store_url, name="ready2")
    try:
        assert base, proc.stderr.read().decode()
        c = client_for(base)
        control(base, "POST", "/clock/advance", {"seconds": 10})  # t=22: the Say is playing
        assert c.calls(call.sid).fetch().status == "in-progress"
        control(base, "POST", "/clock/advance", {"seconds": 30})
        done = c.calls(call.sid).fetch()
        # 20 s Pause + the Say (5 words at 0.4 s) + 10 s Pause, then <Hangup/>.
        assert done.status == "completed" and done.duration == "32"
        journal = control(base, "GET", "/webhooks")["webhooks"]
        completed = [e for e in journal if e["call_sid"] == call.sid
                     and ["CallStatus", "completed"] in [list(p) for p in e["params"]]]
        assert len(completed) == 1
    finally:
        serve_process.stop(proc)
