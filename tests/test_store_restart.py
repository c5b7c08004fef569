"""``serve`` restarted on the same SQLite file carries on: no SID is handed out twice."""

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig


def test_a_restarted_emulator_on_the_same_file_never_reuses_a_sid(store_url):
    url = store_url
    first = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    a = first.client.conferences("Room").participants.create(from_="+15550000001",
                                                             to="+15550000002")
    n = first.client.incoming_phone_numbers.create(phone_number="+15550009999")
    first.client.incoming_phone_numbers.create(phone_number="+15550009998")
    first.client.incoming_phone_numbers(n.sid).delete()   # a gap among the PN SIDs
    first.advance(5)
    first.stop()

    second = Emulator(db_url=url, config=EmulatorConfig(strict_actions=True))
    b = second.client.conferences("Room").participants.create(from_="+15550000001",
                                                              to="+15550000003")
    m = second.client.incoming_phone_numbers.create(phone_number="+15550009997")
    assert b.call_sid != a.call_sid
    assert m.sid != n.sid
    # What the first run left is still there, and the new participant joined the same room.
    assert b.conference_sid == a.conference_sid
    assert second.client.calls(a.call_sid).fetch().status == "in-progress"
    second.stop()
