"""Error messages say what is true: announcing to a conference that has not started and to
one that is over are both 16001, each with its own reason."""

import pytest
from twilio.base.exceptions import TwilioRestException


def _room(emu):
    a = emu.client.conferences("Room").participants.create(from_="+15550100000",
                                                           to="+15550000001")
    emu.advance(3)
    return a


def test_announcement_before_start_says_it_has_not_started(emu):
    a = _room(emu)
    for target in (emu.client.conferences(a.conference_sid),
                   emu.client.conferences(a.conference_sid).participants(a.call_sid)):
        with pytest.raises(TwilioRestException) as err:
            target.update(announce_url="https://app.test/announce")
        assert err.value.status == 400 and err.value.code == 16001
        assert "has not started" in err.value.msg


def test_announcement_on_a_completed_conference_says_it_is_completed(emu):
    a = _room(emu)
    emu.client.conferences(a.conference_sid).update(status="completed")
    emu.advance(1)
    with pytest.raises(TwilioRestException) as err:
        emu.client.conferences(a.conference_sid).update(announce_url="https://app.test/a")
    assert err.value.status == 400 and err.value.code == 16001
    assert "completed" in err.value.msg and "not started" not in err.value.msg
    assert "bridged" not in err.value.msg
