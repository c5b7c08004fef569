"""List filters and envelopes, through twilio-python's own filter arguments."""

import base64
import datetime as dt

import pytest

CALLER = "+15550000000"
DAY = 86400.0


def auth_headers(emu):
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def raw_get(emu, path_and_query):
    resp = emu.app.test_client().get(path_and_query, headers=auth_headers(emu))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def today(emu):
    return dt.datetime.fromtimestamp(emu.now(), tz=dt.timezone.utc).date()


@pytest.fixture
def three_days(emu, client):
    """Room A created on day 1 and ended on day 3; Room B on day 2; Room C on day 3."""
    rooms = {}
    days = []
    for i, name in enumerate(("Room A", "Room B", "Room C")):
        if i:
            emu.advance(DAY)
        days.append(today(emu))
        p = client.conferences(name).participants.create(from_=CALLER, to="+15551000001")
        emu.advance(5)
        rooms[name] = p.conference_sid
    client.conferences(rooms["Room A"]).update(status="completed")
    return rooms, days


def names(client, **filters):
    return sorted(c.friendly_name for c in client.conferences.list(**filters))


def test_conference_date_filters(client, three_days):
    rooms, (d1, d2, d3) = three_days
    assert names(client) == ["Room A", "Room B", "Room C"]
    assert names(client, date_created=d2) == ["Room B"]
    assert names(client, date_created_before=d2) == ["Room A", "Room B"]   # on or before
    assert names(client, date_created_after=d2) == ["Room B", "Room C"]    # on or after
    assert names(client, date_created_after=d2, date_created_before=d2) == ["Room B"]
    assert names(client, date_created=d3 + dt.timedelta(days=1)) == []
    # Room A was last updated when it ended, on day 3.
    assert names(client, date_updated=d3) == ["Room A", "Room C"]
    assert names(client, date_updated_before=d2) == ["Room B"]
    assert names(client, date_updated_after=d3) == ["Room A", "Room C"]
    assert names(client, date_updated_after=d2, date_updated_before=d2) == ["Room B"]


def test_conference_friendly_name_and_status_filters(client, three_days):
    rooms, _ = three_days
    assert [c.sid for c in client.conferences.list(friendly_name="Room B")] == [rooms["Room B"]]
    assert client.conferences.list(friendly_name="room b") == []              # exact match
    assert names(client, status="completed") == ["Room A"]
    assert names(client, status="init") == ["Room B", "Room C"]
    assert names(client, status="in-progress") == []
    assert names(client, status="init", friendly_name="Room C") == ["Room C"]


def test_list_uri_echoes_filters_in_request_order_then_page_size_and_page(emu, three_days):
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Conferences.json"
    query = ("Status=init&DateCreated%3E=2026-01-01&FriendlyName=Room+B"
             "&DateUpdated%3C=2026-12-31")
    body = raw_get(emu, f"{base}?{query}&PageSize=1")
    assert body["uri"] == f"{base}?{query}&PageSize=1&Page=0"
    assert body["first_page_uri"] == f"{base}?{query}&PageSize=1&Page=0"
    assert [c["friendly_name"] for c in body["conferences"]] == ["Room B"]
    assert body["next_page_uri"] is None and body["previous_page_uri"] is None
    # Another order is echoed as sent.
    query2 = "FriendlyName=Room+B&Status=init"
    assert raw_get(emu, f"{base}?{query2}")["uri"] == f"{base}?{query2}&PageSize=50&Page=0"


def test_conference_pages_follow_twilio_tokens(emu, client, three_days):
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Conferences.json"
    page0 = raw_get(emu, f"{base}?Status=init&PageSize=1")
    last = page0["conferences"][0]["sid"]
    assert page0["next_page_uri"] == f"{base}?Status=init&PageSize=1&Page=1&PageToken=PA{last}"
    page1 = raw_get(emu, page0["next_page_uri"])
    first = page1["conferences"][0]["sid"]
    assert first != last
    assert page1["previous_page_uri"] == (f"{base}?Status=init&PageSize=1&Page=0"
                                          f"&PageToken=PB{first}")
    assert (page1["start"], page1["end"], page1["next_page_uri"]) == (1, 1, None)
    streamed = [c.sid for c in client.conferences.stream(status="init", page_size=1)]
    assert streamed == [last, first]


def test_empty_list_envelope(emu, client):
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Conferences.json"
    body = raw_get(emu, base)
    assert body == {
        "conferences": [], "page": 0, "page_size": 50, "start": 0, "end": 0,
        "uri": f"{base}?PageSize=50&Page=0", "first_page_uri": f"{base}?PageSize=50&Page=0",
        "next_page_uri": None, "previous_page_uri": None,
    }
    assert client.conferences.list() == []


def test_page_size_over_1000_is_clamped(emu, client):
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Calls.json"
    body = raw_get(emu, f"{base}?PageSize=5000")
    assert body["page_size"] == 1000
    assert body["uri"] == f"{base}?PageSize=1000&Page=0"
    # twilio-python sends PageSize=limit unchecked; it still works.
    client.calls.create(to="+15551000001", from_=CALLER, twiml="<Response/>")
    assert len(client.calls.list(limit=5000)) == 1


# -- calls ------------------------------------------------------------------------------------
@pytest.fixture
def calls_over_two_days(emu, client):
    emu.phone("+15552000002", outcome="busy")
    twiml = "<Response><Pause length=\"600\"/></Response>"
    first = client.calls.create(to="+15552000001", from_=CALLER, twiml=twiml)
    busy = client.calls.create(to="+15552000002", from_="+15550000009", twiml=twiml)
    emu.advance(5)
    client.calls(first.sid).update(status="completed")
    day1 = today(emu)
    emu.advance(DAY)
    second = client.calls.create(to="+15552000001", from_=CALLER, twiml=twiml)
    emu.advance(5)
    return {"first": first.sid, "busy": busy.sid, "second": second.sid, "day1": day1}


def call_sids(client, **filters):
    return sorted(c.sid for c in client.calls.list(**filters))


def test_call_filters(emu, client, calls_over_two_days):
    c = calls_over_two_days
    first, busy, second = c["first"], c["busy"], c["second"]
    day2_midnight = dt.datetime.combine(c["day1"] + dt.timedelta(days=1), dt.time(),
                                        tzinfo=dt.timezone.utc)
    assert call_sids(client) == sorted([first, busy, second])
    assert call_sids(client, to="+15552000001") == sorted([first, second])
    assert call_sids(client, from_="+15550000009") == [busy]
    assert call_sids(client, status="busy") == [busy]
    assert call_sids(client, status="completed") == [first]
    assert call_sids(client, status="in-progress") == [second]
    assert call_sids(client, start_time_before=day2_midnight) == sorted([first, busy])
    assert call_sids(client, start_time_after=day2_midnight) == [second]
    assert call_sids(client, start_time=c["day1"]) == sorted([first, busy])
    assert call_sids(client, end_time_before=day2_midnight) == [first]
    assert call_sids(client, end_time_after=day2_midnight) == []
    assert call_sids(client, end_time=c["day1"]) == [first]
    assert call_sids(client, parent_call_sid="CA" + "0" * 32) == []
    assert call_sids(client, to="+15552000001", status="completed") == [first]


def test_call_filters_accept_twilios_odd_date_formats(emu, calls_over_two_days):
    """Twilio's own example sends ``StartTime<=06/11/2019 22:05:25 MST`` and
    ``EndTime<=2019-06-11 22:05:25.000`` and gets an empty page, not an error."""
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Calls.json"
    query = "EndTime%3C=2019-06-11+22%3A05%3A25.000&StartTime%3C=06%2F11%2F2019+22%3A05%3A25+MST"
    body = raw_get(emu, f"{base}?{query}&PageSize=2")
    assert body["calls"] == []
    assert body["uri"] == f"{base}?{query}&PageSize=2&Page=0"
    later = "StartTime%3E=01%2F01%2F2020+00%3A00%3A00+MST"
    assert len(raw_get(emu, f"{base}?{later}")["calls"]) == 3


def test_incoming_number_filters(client):
    client.incoming_phone_numbers.create(phone_number="+15557770001", friendly_name="Desk")
    client.incoming_phone_numbers.create(phone_number="+15557770002")
    assert [n.phone_number for n in client.incoming_phone_numbers.list(friendly_name="Desk")] \
        == ["+15557770001"]
    assert [n.phone_number for n in
            client.incoming_phone_numbers.list(phone_number="+15557770002")] == ["+15557770002"]
    assert len(client.incoming_phone_numbers.list()) == 2
