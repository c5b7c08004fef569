"""The engine's wiring, as a newcomer relies on it: leg purposes come from the table the
Engine is given (an unknown one is an error, never a silent no-op), the TwiML each leg runs is
the engine's own state (reset forgets it), and a new verb family is one entry in the table."""

import pytest
from flask import Flask

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.engine import calls as call_legs
from twilio_conf_emulator.engine import twiml
from twilio_conf_emulator.engine.core import UnknownPurpose

NUMBER = "+15550800000"


def ivr():
    app = Flask("ivr")
    app.add_url_rule("/voice", "voice", lambda: (
        '<Response><Gather numDigits="1" timeout="30" action="/menu"><Say>press one</Say>'
        "</Gather></Response>", 200, {"Content-Type": "text/xml"}), methods=["POST"])
    return app


def caller_in_a_gather():
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    emu.deliver_webhooks_to(ivr())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER, voice_url="https://app.test/voice")
    sid = emu.call("+15559990000", NUMBER)
    emu.advance(1)
    return emu, sid


def test_the_running_documents_are_the_engines_and_reset_forgets_them():
    emu, sid = caller_in_a_gather()
    assert list(emu.engine.documents) == [sid]
    assert isinstance(emu.engine.documents[sid][1].verbs[0], twiml.Gather)
    emu.reset()
    assert emu.engine.documents == {}
    other = Emulator()
    assert other.engine.documents == {}  # one engine's legs never show in another's


def test_an_unknown_leg_purpose_is_an_error_not_a_no_op():
    emu = Emulator(config=EmulatorConfig(strict_actions=True))
    with emu.engine.transaction():
        call = call_legs.new_call(emu.engine, emu.account_sid, to="+15550000001",
                                  from_="+15550000002", direction="outbound-api",
                                  purpose="queue-member")
        call_legs.dial(emu.engine, call)
    with pytest.raises(UnknownPurpose, match="queue-member") as err:
        emu.advance(1)  # initiated -> the purpose's on_progress
    # The known purposes include those of services loaded on first lookup (engine/late_table).
    assert "participant, taskrouter-queued, taskrouter-worker, twiml" in str(err.value)


def test_a_verb_family_is_one_entry_in_the_twiml_legs_table():
    emu, sid = caller_in_a_gather()
    seen = []

    def pay(eng, call, verb, gen, i):  # a stand-in family: takes over, never goes on
        seen.append((call.sid, verb.name, verb.text))
        return True

    emu.engine.purpose("twiml").verbs[twiml.Unsupported] = pay
    emu.client.calls(sid).update(twiml="<Response><Pay>card</Pay><Hangup/></Response>")
    emu.advance(5)
    assert seen == [(sid, "Pay", "card")]
    assert emu.client.calls(sid).fetch().status == "in-progress"  # <Hangup/> never ran
