"""A refused request and a failed action change nothing: no row, no webhook, no SID, no
scheduled action, no clock. Compared with runs without them, byte for byte."""

import pytest
from engine_harness import serve_process
from test_api_server_and_determinism import Capturing
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.errors import BadRequest
from twilio_conf_emulator.remote import RemoteEmulator
from twilio_conf_emulator.webhooks.transport import OutboundRequest

CALLER = "+15550100000"
HOOK = "https://app.example.com/conf"


def _hooks_app(environ, start_response):
    start_response("204 No Content", [])
    return [b""]


def _scenario(emu, client, refuse):
    """Numbers, a conference and its callbacks; with ``refuse``, requests Twilio refuses
    (one after the emulator already picked a SID for it) come in the middle."""
    client.incoming_phone_numbers.create(phone_number="+15557000001")
    p = client.conferences("Room").participants.create(
        from_=CALLER, to="+15550000001", conference_status_callback=HOOK,
        conference_status_callback_event=["join", "start", "leave", "end"])
    emu.advance(3)
    if refuse:
        for bad in (lambda: client.incoming_phone_numbers.create(phone_number="+15557000001"),
                    lambda: client.conferences("Room").participants.create(
                        from_=CALLER, to="+15550000002", beep="sometimes"),
                    lambda: client.conferences(p.conference_sid).update(status="bogus")):
            with pytest.raises(TwilioRestException) as err:
                bad()
            assert 400 <= err.value.status < 500
    q = client.conferences("Room").participants.create(from_=CALLER, to="+15550000003")
    n = client.incoming_phone_numbers.create(phone_number="+15557000002")
    emu.advance(3)
    client.conferences(p.conference_sid).participants(q.call_sid).update(muted=True)
    client.conferences(p.conference_sid).update(status="completed")
    emu.advance(1)
    return [p.conference_sid, p.call_sid, q.call_sid, n.sid]


def _inproc(refuse):
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    emu.deliver_webhooks_to(_hooks_app, host="app.example.com")
    http = Capturing(emu.app)
    client = Client(emu.account_sid, emu.auth_token, http_client=http)
    client.edge = client.region = None
    sids = _scenario(emu, client, refuse)
    ok = [b for b in http.bodies if b[1] < 400]
    journal = [(e["kind"], e["params"], e["time"]) for e in emu.webhooks.all()]
    emu.stop()
    return sids, ok, journal


def test_refused_requests_change_no_later_sid_body_or_webhook():
    sids, bodies, journal = _inproc(refuse=False)
    sids2, bodies2, journal2 = _inproc(refuse=True)
    assert sids2 == sids
    assert bodies2 == bodies  # every 2xx body, byte for byte
    assert journal2 == journal
    assert len(journal) >= 4


def test_refused_requests_change_nothing_on_a_server_either():
    runs = []
    for refuse in (False, True):
        proc, url = serve_process(["--seed", "5"])
        try:
            emu = RemoteEmulator(url)
            sids = _scenario(emu, emu.client, refuse)
            runs.append((sids, [(e["kind"], e["params"]) for e in emu.webhooks.all()]))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert runs[0] == runs[1]


def test_a_refused_turn_takes_back_its_sids_webhooks_and_scheduled_actions():
    emu = Emulator(config=EmulatorConfig(strict_actions=True, require_stored_actions=False))
    emu.deliver_webhooks_to(_hooks_app, host="app.example.com")
    eng = emu.engine
    ran = []
    with pytest.raises(BadRequest):
        with eng.transaction():
            taken = eng.sids.new("CA")
            eng.emit_request(OutboundRequest(HOOK, "POST", [("A", "1")], kind="test"), None)
            eng.after(1, lambda: ran.append("late"), "late")
            eng.memory("twiml_docs")["CAx"] = (1, None)
            raise BadRequest("refused")
    assert eng.scheduler.pending() == 0
    assert eng.memory("twiml_docs") == {}
    start = emu.now()
    emu.advance(5)
    assert ran == [] and emu.webhooks.all() == []
    assert emu.now() == start + 5
    with eng.transaction():
        assert eng.sids.new("CA") == taken  # the SID was never consumed


def test_an_action_that_raises_after_queueing_a_webhook_delivers_nothing():
    # strict_actions off: a failing action becomes a 20500 alert (shown with plain closures)
    emu = Emulator(config=EmulatorConfig(require_stored_actions=False))
    emu.deliver_webhooks_to(_hooks_app, host="app.example.com")
    eng = emu.engine
    taken = []

    def action():
        taken.append(eng.sids.new("CF"))
        eng.emit_request(OutboundRequest(HOOK, "POST", [("Event", "doomed")], kind="test"),
                         None)
        eng.after(1, lambda: taken.append("scheduled by the failed action"), "child")
        raise RuntimeError("boom")

    def fine():
        eng.emit_request(OutboundRequest(HOOK, "POST", [("Event", "kept")], kind="test"), None)

    with eng.transaction():
        eng.soon(action, "failing")
        eng.soon(fine, "fine")
    emu.advance(5)
    assert [dict(e["params"])["Event"] for e in emu.webhooks.all()] == ["kept"]
    assert [a["code"] for a in emu.alerts()] == [20500]
    assert len(taken) == 1
    with eng.transaction():
        assert eng.sids.new("CF") == taken[0]


def test_audio_work_that_fails_is_an_alert_and_the_run_goes_on(monkeypatch):
    from twilio_conf_emulator.engine import media_render

    def broken(*args, **kwargs):
        raise RuntimeError("mixer broke")

    monkeypatch.setattr(media_render, "conference_recording_mono_wav", broken)
    emu = Emulator()
    emu.deliver_webhooks_to(_hooks_app, host="app.example.com")
    c = emu.client
    a = c.conferences("Rec").participants.create(from_=CALLER, to="+15550000001",
                                                 conference_record="record-from-start")
    c.conferences("Rec").participants.create(from_=CALLER, to="+15550000002")
    emu.advance(10)
    c.conferences(a.conference_sid).update(status="completed")
    emu.advance(1)
    assert [al["code"] for al in emu.alerts()] == [20500]
    assert c.recordings.list()[0].status == "processing"
    later = c.conferences("Next").participants.create(from_=CALLER, to="+15550000003")
    emu.advance(5)
    assert c.conferences(later.conference_sid).participants(later.call_sid).fetch().status \
        == "connected"
