"""A conference's region is set by the first participant that names one; later ones are
ignored, and a participant without a region fixes nothing."""


def _add(client, room, to, **kw):
    return client.conferences(room).participants.create(from_="+15550100000", to=to, **kw)


def test_first_region_named_wins_even_after_participants_without_one(emu):
    client = emu.client
    p = _add(client, "Room", "+15550000001")
    assert client.conferences(p.conference_sid).fetch().region == "us1"  # the default
    _add(client, "Room", "+15550000002", region="ie1")
    assert client.conferences(p.conference_sid).fetch().region == "ie1"
    _add(client, "Room", "+15550000003", region="de1")
    _add(client, "Room", "+15550000004")
    emu.advance(5)
    assert client.conferences(p.conference_sid).fetch().region == "ie1"


def test_region_of_the_creator_is_kept(emu):
    client = emu.client
    p = _add(client, "Other", "+15550000001", region="jp1")
    _add(client, "Other", "+15550000002", region="au1")
    assert client.conferences(p.conference_sid).fetch().region == "jp1"


def test_twiml_region_after_an_api_participant_without_one(emu):
    client = emu.client
    p = _add(client, "Mixed", "+15550000001")
    emu.phone("+15550000009", answer_after=1)
    client.calls.create(to="+15550000009", from_="+15550100000", twiml=(
        '<Response><Dial><Conference region="sg1">Mixed</Conference></Dial></Response>'))
    emu.advance(5)
    assert client.conferences(p.conference_sid).fetch().region == "sg1"
