"""Participants through twilio-python: by Call SID and by label, label rules, conferences by
friendly name, paging 120 participants, and the Muted/Hold/Coaching list filters."""

import base64
from urllib.parse import parse_qsl, urlsplit

import pytest
from twilio.base.exceptions import TwilioRestException

CALLER = "+15550000000"


def callee(i):
    return f"+1555100{i:04d}"


def auth_headers(emu):
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def raw_get(emu, path, **query):
    if query:
        return emu.app.test_client().get(path, query_string=query, headers=auth_headers(emu))
    return emu.app.test_client().get(path, headers=auth_headers(emu))


def join(emu, client, room, n=1, start=0, **kwargs):
    parts = [client.conferences(room).participants.create(from_=CALLER, to=callee(start + i),
                                                          **kwargs)
             for i in range(n)]
    emu.advance(5)
    return parts


# -- by Call SID and by label --------------------------------------------------------------
def test_fetch_update_delete_by_label_and_by_call_sid(emu, client):
    a = client.conferences("Ops").participants.create(from_=CALLER, to=callee(1),
                                                      label="customer")
    b = client.conferences("Ops").participants.create(from_=CALLER, to=callee(2))
    emu.advance(5)
    conf = client.conferences(a.conference_sid)

    by_label = conf.participants("customer").fetch()
    assert by_label.call_sid == a.call_sid and by_label.label == "customer"
    assert by_label.uri.endswith(f"/Participants/{a.call_sid}.json")   # the SID, not the label
    assert by_label.queue_time is None                                  # create-only field

    muted = conf.participants("customer").update(muted=True)
    assert muted.muted is True and muted.call_sid == a.call_sid
    assert conf.participants(a.call_sid).fetch().muted is True

    held = conf.participants(b.call_sid).update(hold=True)
    assert held.hold is True and held.label is None

    assert conf.participants("customer").delete() is True
    with pytest.raises(TwilioRestException) as err:
        conf.participants("customer").fetch()
    assert (err.value.status, err.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as err:
        conf.participants(a.call_sid).fetch()
    assert err.value.code == 20404
    assert conf.participants(b.call_sid).delete() is True
    assert [p.call_sid for p in conf.participants.list()] == []


@pytest.mark.parametrize("label, encoded", [
    ("bob smith", "bob%20smith"),
    ("café agent", "caf%C3%A9%20agent"),
    ("a+b&c=d", "a%2Bb%26c%3Dd"),
    ("why? 100%", "why%3F%20100%25"),
])
def test_labels_with_non_url_safe_characters_are_reached_percent_encoded(emu, client, label,
                                                                          encoded):
    p = client.conferences("Enc").participants.create(from_=CALLER, to=callee(1), label=label)
    emu.advance(5)
    conf = client.conferences(p.conference_sid)
    # twilio-python puts the path segment in the URL as given: a label the transport can
    # carry raw works as is, and any label works percent-encoded, as Twilio's docs ask.
    if "?" not in label and "%" not in label:
        assert conf.participants(label).fetch().call_sid == p.call_sid
    assert conf.participants(encoded).fetch().call_sid == p.call_sid
    assert conf.participants(encoded).update(muted=True).muted is True
    # The wire form Twilio documents (space -> %20), sent raw.
    resp = raw_get(emu, f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/"
                        f"{p.conference_sid}/Participants/{encoded}.json")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json()["call_sid"] == p.call_sid
    assert resp.get_json()["label"] == label


@pytest.mark.parametrize("label", [
    "x" * 129,                                   # more than 128 characters
    "CA" + "0123456789abcdef" * 2,               # looks like a Call SID
    "team/blue",                                 # contains /
    "team%2Fblue",                               # contains %2F
    "team%2fblue",
])
def test_invalid_labels_are_16024(emu, client, label):
    with pytest.raises(TwilioRestException) as err:
        client.conferences("Labels").participants.create(from_=CALLER, to=callee(1),
                                                         label=label)
    assert (err.value.status, err.value.code) == (400, 16024)
    # Nothing was created: no conference by that name, no call.
    assert client.conferences.list(friendly_name="Labels") == []
    assert client.calls.list() == []


def test_a_128_character_label_is_fine(emu, client):
    p = client.conferences("Labels").participants.create(from_=CALLER, to=callee(1),
                                                         label="y" * 128)
    assert p.label == "y" * 128


def test_label_in_use_is_16026_and_free_again_once_its_holder_left(emu, client):
    first = client.conferences("Dup").participants.create(from_=CALLER, to=callee(1),
                                                          label="agent")
    keep = client.conferences("Dup").participants.create(from_=CALLER, to=callee(2))
    emu.advance(5)
    with pytest.raises(TwilioRestException) as err:
        client.conferences("Dup").participants.create(from_=CALLER, to=callee(3), label="agent")
    assert (err.value.status, err.value.code) == (400, 16026)
    # The same label in another conference is fine.
    other = client.conferences("Elsewhere").participants.create(from_=CALLER, to=callee(4),
                                                                label="agent")
    assert other.conference_sid != first.conference_sid

    client.conferences(first.conference_sid).participants("agent").delete()
    emu.advance(1)
    again = client.conferences("Dup").participants.create(from_=CALLER, to=callee(5),
                                                          label="agent")
    assert again.conference_sid == keep.conference_sid == first.conference_sid
    emu.advance(5)
    assert (client.conferences(first.conference_sid).participants("agent").fetch().call_sid
            == again.call_sid)


# -- conferences by friendly name ------------------------------------------------------------
def test_unknown_friendly_name_creates_the_conference(emu, client):
    assert client.conferences.list(friendly_name="Brand New") == []
    p = client.conferences("Brand New").participants.create(from_=CALLER, to=callee(1))
    assert p.status == "queued" and p.queue_time is not None
    assert p.conference_sid.startswith("CF") and len(p.conference_sid) == 34
    conf = client.conferences(p.conference_sid).fetch()
    assert conf.friendly_name == "Brand New" and conf.status == "init"
    # A second participant by the same name joins the same conference.
    q = client.conferences("Brand New").participants.create(from_=CALLER, to=callee(2))
    assert q.conference_sid == p.conference_sid


def test_a_completed_conferences_name_gives_a_new_conference(emu, client):
    p = join(emu, client, "Reused", 2)[0]
    client.conferences(p.conference_sid).update(status="completed")
    assert client.conferences(p.conference_sid).fetch().status == "completed"
    q = client.conferences("Reused").participants.create(from_=CALLER, to=callee(9))
    assert q.conference_sid != p.conference_sid
    confs = client.conferences.list(friendly_name="Reused")
    assert sorted(c.sid for c in confs) == sorted({p.conference_sid, q.conference_sid})
    assert {c.sid: c.status for c in confs}[q.conference_sid] == "init"
    # Creating into the completed one by SID is refused.
    with pytest.raises(TwilioRestException) as err:
        client.conferences(p.conference_sid).participants.create(from_=CALLER, to=callee(8))
    assert err.value.status == 400


# -- paging -----------------------------------------------------------------------------------
def test_120_participants_page_through_stream_and_list(emu, client):
    created = join(emu, client, "Big", 120)
    sid = created[0].conference_sid
    expected = [p.call_sid for p in created]
    streamed = [p.call_sid for p in client.conferences(sid).participants.stream(page_size=50)]
    assert sorted(streamed) == sorted(expected) and len(streamed) == 120
    listed = [p.call_sid for p in client.conferences(sid).participants.list(page_size=50)]
    assert listed == streamed
    limited = client.conferences(sid).participants.list(limit=70, page_size=50)
    assert [p.call_sid for p in limited] == streamed[:70]

    # The envelope of each page, as Twilio shapes it.
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/{sid}/Participants.json"
    page0 = raw_get(emu, base, PageSize=50).get_json()
    assert (page0["page"], page0["page_size"], page0["start"], page0["end"]) == (0, 50, 0, 49)
    assert page0["uri"] == f"{base}?PageSize=50&Page=0"
    assert page0["first_page_uri"] == f"{base}?PageSize=50&Page=0"
    assert page0["previous_page_uri"] is None
    last0 = page0["participants"][-1]["call_sid"]
    assert page0["next_page_uri"] == f"{base}?PageSize=50&Page=1&PageToken=PACP{last0[2:]}"

    path, _, query = page0["next_page_uri"].partition("?")
    page1 = raw_get(emu, path, **dict(parse_qsl(query))).get_json()
    assert (page1["page"], page1["start"], page1["end"]) == (1, 50, 99)
    assert page1["uri"] == page0["next_page_uri"]
    first1 = page1["participants"][0]["call_sid"]
    assert page1["previous_page_uri"] == f"{base}?PageSize=50&Page=0&PageToken=PBCP{first1[2:]}"

    path, _, query = page1["next_page_uri"].partition("?")
    page2 = raw_get(emu, path, **dict(parse_qsl(query))).get_json()
    assert (page2["page"], page2["start"], page2["end"]) == (2, 100, 119)
    assert len(page2["participants"]) == 20 and page2["next_page_uri"] is None

    # Following previous_page_uri from page 1 gives page 0 again.
    path, _, query = page1["previous_page_uri"].partition("?")
    back = raw_get(emu, path, **dict(parse_qsl(query))).get_json()
    assert [p["call_sid"] for p in back["participants"]] == [
        p["call_sid"] for p in page0["participants"]]
    seen = [p["call_sid"] for pg in (page0, page1, page2) for p in pg["participants"]]
    assert seen == streamed


def test_participant_filters_muted_hold_coaching(emu, client):
    a, b, c = join(emu, client, "Filters", 3)
    conf = client.conferences(a.conference_sid)
    conf.participants(a.call_sid).update(muted=True)
    conf.participants(b.call_sid).update(hold=True)
    coach = conf.participants.create(from_=CALLER, to=callee(50), coaching=True,
                                     call_sid_to_coach=c.call_sid)
    emu.advance(5)

    def sids(**kw):
        return sorted(p.call_sid for p in conf.participants.list(**kw))

    assert sids(muted=True) == [a.call_sid]
    assert sids(muted=False) == sorted([b.call_sid, c.call_sid, coach.call_sid])
    assert sids(hold=True) == [b.call_sid]
    assert sids(coaching=True) == [coach.call_sid]
    assert sids(coaching=True, muted=True) == []
    assert sids() == sorted([a.call_sid, b.call_sid, c.call_sid, coach.call_sid])
    # The filters are echoed into the page URIs in request order, then PageSize and Page.
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Conferences/{a.conference_sid}/" \
           "Participants.json"
    body = raw_get(emu, base + "?Hold=false&Muted=true&PageSize=2").get_json()
    assert body["uri"] == f"{base}?Hold=false&Muted=true&PageSize=2&Page=0"
    assert [p["call_sid"] for p in body["participants"]] == [a.call_sid]


def test_queue_time_only_on_the_create_response(emu, client):
    p = client.conferences("QT").participants.create(from_=CALLER, to=callee(1))
    assert isinstance(p.queue_time, str) and p.queue_time.isdigit()
    emu.advance(5)
    conf = client.conferences(p.conference_sid)
    assert conf.participants(p.call_sid).fetch().queue_time is None
    assert conf.participants(p.call_sid).update(muted=True).queue_time is None
    assert [x.queue_time for x in conf.participants.list()] == [None]


def test_coaching_needs_a_present_target(emu, client):
    a = join(emu, client, "Coach", 1)[0]
    with pytest.raises(TwilioRestException) as err:
        client.conferences(a.conference_sid).participants.create(
            from_=CALLER, to=callee(7), coaching=True, call_sid_to_coach="CA" + "f" * 32)
    assert (err.value.status, err.value.code) == (400, 16028)
    uri = urlsplit(client.conferences(a.conference_sid).fetch().uri).path
    assert uri.endswith(f"/Conferences/{a.conference_sid}.json")
