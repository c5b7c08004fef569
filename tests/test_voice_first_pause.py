"""``<Pause>`` as the first verb delays answering an inbound call (Twilio's Pause docs)."""

from flask import Flask
from twilio.twiml.voice_response import VoiceResponse

NUMBER = "+15550700000"


def app():
    web = Flask(__name__)

    @web.post("/voice")
    def voice():
        r = VoiceResponse()
        r.pause(length=3)
        r.say("Thanks for waiting.")
        return str(r), 200, {"Content-Type": "text/xml"}

    return web


def test_a_leading_pause_keeps_the_call_ringing_then_answers(emu):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/voice")
    sid = emu.call("+15559990000", NUMBER)
    emu.advance(2)
    assert emu.client.calls(sid).fetch().status == "ringing"
    emu.advance(2)
    call = emu.client.calls(sid).fetch()
    assert call.status == "in-progress"
    emu.advance(10)
    call = emu.client.calls(sid).fetch()
    assert call.status == "completed"
    # Billed from the answer (after the pause): the Say only, not the ringing.
    assert int(call.duration) < 3


def test_a_caller_who_hangs_up_during_the_leading_pause_is_never_answered(emu):
    emu.deliver_webhooks_to(app())
    emu.client.incoming_phone_numbers.create(phone_number=NUMBER,
                                             voice_url="http://app.test/voice")
    sid = emu.call("+15559990000", NUMBER)
    emu.advance(1)
    emu.hangup(sid)
    emu.advance(5)
    call = emu.client.calls(sid).fetch()
    assert call.status != "completed" and call.duration is None
