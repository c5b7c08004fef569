"""An engine runs with no Flask imported at all: the app is built on first use of ``.app``."""

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    from twilio_conf_emulator import Emulator
    from twilio_conf_emulator.engine import numbers

    def app(environ, start_response):  # the user's voice URL, as a bare WSGI app
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [b"<Response><Dial><Number>+15550002222</Number></Dial></Response>"]

    emu = Emulator()
    emu.deliver_webhooks_to(app)
    emu.phone("+15550002222", answer_after=2, hangup_after=5)
    with emu.engine.transaction():
        numbers.create(emu.engine, emu.account_sid, "+15550001111", None,
                       {"voice_url": "https://app.test/voice"})
    sid = emu.call("+15559990000", "+15550001111")
    emu.advance(30)
    kinds = [e["kind"] for e in emu.webhooks.all()]
    from twilio_conf_emulator.store.models import Call
    with emu.engine.transaction() as db:
        legs = sorted((c.direction, c.status) for c in db.query(Call))
    before = "flask" in sys.modules
    emu.app  # the REST API is still there when asked for
    print(json.dumps({"flask_before": before, "flask_after": "flask" in sys.modules,
                      "kinds": kinds, "legs": legs, "sid": sid}))
""")


def test_building_dialling_and_advancing_never_imports_flask():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["kinds"][0] == "voice"  # the scenario really ran: the VoiceUrl was fetched
    # ...and the virtual phone was dialled, answered and hung up on the virtual clock.
    assert result["legs"] == [["inbound", "completed"], ["outbound-dial", "completed"]]
    assert result["flask_before"] is False
    assert result["flask_after"] is True  # the check can see Flask when it is imported
