"""A <Redirect> in wait or hold TwiML is a new request each time it is reached, even to the
same URL (apps say "you are caller number N"); a new waitUrl/hold ends the old chain."""

import pytest
from engine_harness import Harness

A, B = "+15550000001", "+15550000002"


@pytest.fixture
def h():
    harness = Harness("inproc")
    count = {"n": 0}

    def counting(r):
        count["n"] += 1
        body = (f"<Response><Say>You are caller number {count['n']}</Say>"
                "<Pause length='3'/><Redirect/></Response>")
        return body, 200, {"Content-Type": "text/xml"}

    harness.handlers["/wait"] = counting
    harness.handlers["/hold"] = counting
    yield harness
    harness.close()


def _wait_texts(h, sid, kind):
    from twilio_conf_emulator.store.models import MediaEventRow

    with h.emu.engine.transaction() as db:
        rows = db.query(MediaEventRow).filter(MediaEventRow.call_sid == sid,
                                              MediaEventRow.kind == kind)
        out = []
        for r in rows.order_by(MediaEventRow.id):
            audio = r.data.get("audio") or r.data.get("wait_audio") or {}
            out.append((r.t, [i.get("text") for i in audio.get("items", [])]))
        return out


def test_redirect_in_wait_twiml_requests_the_url_again_each_time(h):
    h.emu.phone(A, answer_after=1)
    t0 = h.emu.now()
    p = h.add("Room", A, wait_url=h.url("/wait"))
    h.emu.advance(19)
    reqs = [e for e in h.emu.webhooks.all(kind="wait-url")]
    # Say "You are caller number N" (5 words, 2 s) + 3 s pause = 5 s per document.
    times = [round(e["time"] - t0, 3) for e in reqs]
    assert times == [2.0, 7.0, 12.0, 17.0]
    texts = [t for _, items in _wait_texts(h, p.call_sid, "wait-audio") for t in items if t]
    assert texts == [f"You are caller number {n}" for n in (1, 2, 3, 4)]
    # Once the conference starts (t=21), the chain stops: no request at t=22.
    h.emu.phone(B, answer_after=1)
    h.add("Room", B)
    h.emu.advance(30)
    assert len(h.emu.webhooks.all(kind="wait-url")) == 4


def test_redirect_in_hold_twiml_is_a_new_request_until_unhold(h):
    h.emu.phone(A, answer_after=1)
    h.emu.phone(B, answer_after=1)
    p = h.add("Room", A)
    h.add("Room", B)
    h.emu.advance(5)
    part = h.client.conferences(p.conference_sid).participants(p.call_sid)
    part.update(hold=True, hold_url=h.url("/hold"), hold_method="POST")
    h.emu.advance(11)
    assert len(h.emu.webhooks.all(kind="hold-url")) == 3  # at 0, 5 and 10 s of the hold
    part.update(hold=False)
    h.emu.advance(20)
    assert len(h.emu.webhooks.all(kind="hold-url")) == 3
    # Held again: a new chain, the old one never wakes up.
    part.update(hold=True, hold_url=h.url("/hold"), hold_method="POST")
    h.emu.advance(6)
    assert len(h.emu.webhooks.all(kind="hold-url")) == 5
