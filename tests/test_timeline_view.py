"""timeline_view: the picture of a conference, from a real scenario on the virtual clock.

The scenario (times in virtual seconds since the conference was created; dialled phones ring
for 1 s and answer after 1 s, so a participant is in 2 s after it is added):

    t=0   alice added                       -> in at 2, waits alone (wait music)
    t=3   bob and coach added               -> in at 5: conference-start at 5
    t=6   alice muted          t=12 alice unmuted, bob on hold
    t=17  bob unheld, coach starts coaching bob
    t=22  conference ended via the API

Every voice is tone (3 s) / silence (4 s) / tone (60 s) from its answer, so the speech gate
fires at answer .. answer+3 (+ hangover) and again from answer+7.
"""

import json

import numpy as np
import pytest
import soundfile as sf
from lxml import etree
from lxml import html as lxml_html

from twilio_conf_emulator import Emulator
from twilio_conf_emulator.config import EmulatorConfig
from twilio_conf_emulator.errors import NotFound
from twilio_conf_emulator.timeline_view import conference_timeline, render_html

SR = 8000
FRAME = 0.02  # one 20 ms frame: the grid every media time is snapped to
EVENTS = ["start", "end", "join", "leave", "mute", "hold", "modify", "announcement"]


def tone_silence_tone(path, first=3.0, gap=4.0, second=60.0, hz=440.0):
    def tone(seconds):
        return 0.3 * np.sin(2 * np.pi * hz * np.arange(int(seconds * SR)) / SR)

    sf.write(str(path), np.concatenate([tone(first), np.zeros(int(gap * SR)), tone(second)]),
             SR, subtype="PCM_16")
    return str(path)


def ok_app(environ, start_response):
    """The user's webhook app: takes every callback; /announce answers with a <Say>."""
    if environ["PATH_INFO"] == "/announce":
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [b"<Response><Say>welcome to the room everyone</Say></Response>"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b""]


def add(emu, number, label):
    return emu.client.conferences("Room").participants.create(
        from_="+15550100000", to=number, label=label,
        conference_status_callback="https://app.test/conf",
        conference_status_callback_event=EVENTS)


def scenario(emu, wav, end=True):
    emu.deliver_webhooks_to(ok_app)
    for number in ("+15550000001", "+15550000002", "+15550000003"):
        emu.phone(number, audio=wav, answer_after=1)
    alice = add(emu, "+15550000001", "alice")
    emu.advance(3)
    bob = add(emu, "+15550000002", "bob")
    add(emu, "+15550000003", "coach")
    emu.advance(3)
    conf = emu.client.conferences(alice.conference_sid)
    conf.participants("alice").update(muted=True)
    emu.advance(6)
    conf.participants("alice").update(muted=False)
    conf.participants("bob").update(hold=True)
    emu.advance(5)
    conf.participants("bob").update(hold=False)
    conf.participants("coach").update(coaching=True, call_sid_to_coach=bob.call_sid)
    emu.advance(5)
    if end:
        conf.update(status="completed")
        emu.advance(1)
    return alice.conference_sid


def lane(model, label):
    [p] = [p for p in model["participants"] if p["label"] == label]
    return p


def spans(p, state):
    return [(iv["start"], iv["end"]) for iv in p["intervals"] if iv["state"] == state]


def assert_spans(actual, expected):
    assert len(actual) == len(expected), (actual, expected)
    for (a, b), (c, d) in zip(actual, expected, strict=True):
        assert a == pytest.approx(c, abs=FRAME) and b == pytest.approx(d, abs=FRAME), (actual, expected)


def svg_nodes(doc, tag, cls=None):
    """Elements of the chart (not of the legend's swatches)."""
    path = f'//div[@class="chart"]//*[local-name()="{tag}"]'
    if cls:
        path += f'[contains(concat(" ", normalize-space(@class), " "), " {cls} ")]'
    return doc.xpath(path)


def overlap(xs, ys):
    return sum(max(0.0, min(b, d) - max(a, c)) for a, b in xs for c, d in ys)


@pytest.fixture
def finished(emu, tmp_path):
    sid = scenario(emu, tone_silence_tone(tmp_path / "voice.wav"))
    return emu, sid, conference_timeline(emu, sid)


# --- the model ------------------------------------------------------------------------------------
def test_conference_start_end_and_reason(finished):
    _, sid, m = finished
    assert m["conference_sid"] == sid and m["friendly_name"] == "Room"
    assert m["status"] == "completed" and not m["in_progress"]
    assert m["start"] == pytest.approx(5.0) and m["end"] == pytest.approx(22.0)
    assert m["until"] == m["end"]
    assert m["reason_conference_ended"] == "conference-ended-via-api"
    assert_spans(spans(m["conference"], "waiting"), [(0.0, 5.0)])
    assert_spans(spans(m["conference"], "in"), [(5.0, 22.0)])


def test_one_lane_per_participant_in_the_order_they_were_added(finished):
    _, _, m = finished
    assert [p["label"] for p in m["participants"]] == ["alice", "bob", "coach"]
    assert all(p["call_sid"].startswith("CA") for p in m["participants"])


def test_waiting_then_in_then_muted(finished):
    _, _, m = finished
    alice = lane(m, "alice")
    assert_spans(spans(alice, "waiting"), [(2.0, 5.0)])
    assert_spans(spans(alice, "in"), [(5.0, 22.0)])
    assert_spans(spans(alice, "muted"), [(6.0, 12.0)])
    assert spans(alice, "hold") == [] and spans(alice, "coaching") == []


def test_hold_and_coaching_with_its_target(finished):
    _, _, m = finished
    bob, coach = lane(m, "bob"), lane(m, "coach")
    assert spans(bob, "waiting") == []  # its join started the conference
    assert_spans(spans(bob, "hold"), [(12.0, 17.0)])
    [coaching] = [iv for iv in coach["intervals"] if iv["state"] == "coaching"]
    assert (coaching["start"], coaching["end"]) == pytest.approx((17.0, 22.0), abs=FRAME)
    assert coaching["target"] == bob["call_sid"] and coaching["target_label"] == "bob"


def test_talking_only_while_heard(finished):
    emu, _, m = finished
    hang = emu.config.speech_hangover_ms / 1000
    alice, bob, coach = lane(m, "alice"), lane(m, "bob"), lane(m, "coach")
    # alice speaks 2..5 while waiting (nobody hears it): only the hangover tail after the
    # start shows; her second tone (from 9) is muted until 12.
    assert_spans(spans(alice, "talking"), [(5.0, 5.0 + hang), (12.0, 22.0)])
    # bob speaks 5..8 and from 12, but is on hold 12..17.
    assert_spans(spans(bob, "talking"), [(5.0, 8.0 + hang), (17.0, 22.0)])
    assert_spans(spans(coach, "talking"), [(5.0, 8.0 + hang), (12.0, 22.0)])
    for p in (alice, bob, coach):
        talking = spans(p, "talking")
        assert overlap(talking, spans(p, "muted") + spans(p, "hold") + spans(p, "waiting")) == 0
        assert overlap(talking, spans(p, "in")) == pytest.approx(sum(b - a for a, b in talking))


def test_journal_events_at_their_virtual_times(finished):
    _, _, m = finished
    by_name = {}
    for ev in m["events"]:
        by_name.setdefault(ev["event"], []).append(ev)
    assert by_name["conference-start"][0]["t"] == pytest.approx(5.0)
    assert by_name["conference-end"][0]["t"] == pytest.approx(22.0)
    assert [e["t"] for e in by_name["participant-join"]] == pytest.approx([2.0, 5.0, 5.0])
    [mute], [unmute] = by_name["participant-mute"], by_name["participant-unmute"]
    assert (mute["t"], unmute["t"]) == pytest.approx((6.0, 12.0))
    assert mute["call_sid"] == lane(m, "alice")["call_sid"] and mute["status"] == 200
    assert by_name["participant-modify"][0]["call_sid"] == lane(m, "coach")["call_sid"]
    assert len(by_name["participant-leave"]) == 3
    assert [e["sequence_number"] for e in m["events"]] == [str(i + 1) for i in range(len(m["events"]))]


def test_in_progress_is_drawn_up_to_now(emu, tmp_path):
    sid = scenario(emu, tone_silence_tone(tmp_path / "voice.wav"), end=False)
    m = conference_timeline(emu, sid)
    assert m["in_progress"] and m["end"] is None and m["reason_conference_ended"] is None
    assert m["until"] == pytest.approx(22.0)
    coach = lane(m, "coach")
    [last_in] = [iv for iv in coach["intervals"] if iv["state"] == "in"]
    assert last_in["end"] == pytest.approx(22.0) and last_in["open"] is True
    assert [iv for iv in coach["intervals"] if iv["state"] == "talking"][-1]["open"] is True
    assert lane(m, "alice")["intervals"][0]["open"] is False  # her waiting is over
    doc = lxml_html.fromstring(render_html(m))
    assert svg_nodes(doc, "line", "m-now") and not svg_nodes(doc, "line", "m-end")
    emu.advance(10)  # the picture follows the clock
    assert conference_timeline(emu, sid)["until"] == pytest.approx(32.0)


def test_looped_voice_with_an_offset(emu, tmp_path):
    """1 s of tone every 4 s, starting 1 s after the answer: talking follows the loop."""
    wav = tone_silence_tone(tmp_path / "beat.wav", first=1.0, gap=3.0, second=0.0)
    emu.deliver_webhooks_to(ok_app)
    emu.phone("+15550000001", audio=wav, answer_after=1, loop=True, offset=1.0)
    emu.phone("+15550000002", answer_after=1)  # no audio: never talks
    a = add(emu, "+15550000001", "looper")
    add(emu, "+15550000002", "quiet")
    emu.advance(14)
    m = conference_timeline(emu, a.conference_sid)
    hang = emu.config.speech_hangover_ms / 1000
    # answered at 2: tone at 3..4, 7..8, 11..12, 15..16 (beyond now=14: cut there).
    assert_spans(spans(lane(m, "looper"), "talking"),
                 [(3.0, 4.0 + hang), (7.0, 8.0 + hang), (11.0, 12.0 + hang)])
    assert spans(lane(m, "quiet"), "talking") == []


def test_a_voice_that_cannot_be_loaded_shows_no_talking(emu, tmp_path):
    emu.deliver_webhooks_to(ok_app)
    emu.phone("+15550000001", audio=str(tmp_path / "missing.wav"), answer_after=1)
    emu.phone("+15550000002", audio=tone_silence_tone(tmp_path / "v.wav"), answer_after=1)
    a = add(emu, "+15550000001", "ghost")
    add(emu, "+15550000002", "real")
    emu.advance(5)
    m = conference_timeline(emu, a.conference_sid)
    assert spans(lane(m, "ghost"), "in") and spans(lane(m, "ghost"), "talking") == []
    assert spans(lane(m, "real"), "talking")


def test_announcements_to_everyone_and_to_one(emu, tmp_path):
    sid = scenario(emu, tone_silence_tone(tmp_path / "voice.wav"), end=False)
    conf = emu.client.conferences(sid)
    conf.update(announce_url="https://app.test/announce")
    emu.advance(4)
    conf.participants("bob").update(announce_url="https://app.test/announce")
    emu.advance(4)
    m = conference_timeline(emu, sid)
    say = emu.config.say_seconds_per_word * 5  # "welcome to the room everyone"
    assert_spans(spans(m["conference"], "announcement"), [(22.0, 22.0 + say)])
    assert_spans(spans(lane(m, "bob"), "announcement"), [(26.0, 26.0 + say)])
    assert spans(lane(m, "alice"), "announcement") == []
    assert "announcement-end" in [e["event"] for e in m["events"]]


def test_a_participant_that_never_got_in_keeps_its_row(emu, tmp_path):
    emu.deliver_webhooks_to(ok_app)
    emu.phone("+15550000001", answer_after=1)
    emu.phone("+15550000009", outcome="busy")
    a = add(emu, "+15550000001", "in-room")
    add(emu, "+15550000009", "busy-line")
    emu.advance(5)
    m = conference_timeline(emu, a.conference_sid)
    busy = lane(m, "busy-line")
    assert busy["intervals"] == [] and busy["status"] != "connected"
    assert "busy-line" in render_html(m)


def test_unknown_conference_is_not_found(emu):
    with pytest.raises(NotFound):
        conference_timeline(emu, "CF" + "0" * 32)


# --- the page -------------------------------------------------------------------------------------
def test_page_is_well_formed_with_a_row_per_participant(finished):
    _, sid, m = finished
    page = render_html(m)
    assert page.startswith("<!DOCTYPE html>\n")
    etree.fromstring(page.split("\n", 1)[1].encode())  # strictly well-formed, not just parseable
    doc = lxml_html.fromstring(page)
    labels = [t.text for t in svg_nodes(doc, "text", "lane-label")]
    assert labels == ["Conference", "alice", "bob", "coach"]
    # The header names the conference and why it ended.
    header = doc.xpath("//dl")[0].text_content()
    assert sid in header and "Room" in header and "conference-ended-via-api" in header
    # Nothing fetched, nothing run.
    assert not doc.xpath("//script | //link | //img | //iframe")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_page_draws_states_markers_ticks_and_legend(finished):
    _, _, m = finished
    doc = lxml_html.fromstring(render_html(m))
    for state in ("waiting", "in", "talking", "muted", "hold", "coaching"):
        assert svg_nodes(doc, "rect", state), state
    legend = doc.xpath('//ul[@class="legend"]')[0].text_content()
    for text in ("waiting", "in (bridged)", "talking", "muted", "on hold", "coaching", "announcement"):
        assert text in legend
    # Start/end markers at 5 s and 22 s along the same axis as the bands.
    [start] = svg_nodes(doc, "line", "m-start")
    [end] = svg_nodes(doc, "line", "m-end")
    [conf_in] = [r for r in svg_nodes(doc, "rect", "in") if "Conference" in r.findtext("title")]
    assert float(start.get("x1")) == pytest.approx(float(conf_in.get("x")), abs=0.1)
    assert float(end.get("x1")) == pytest.approx(float(conf_in.get("x")) + float(conf_in.get("width")), abs=0.1)
    # A tick per journal entry, its tooltip naming the StatusCallbackEvent and who it is about.
    ticks = svg_nodes(doc, "g", "tick")
    assert len(ticks) == len(m["events"])
    tips = [t.findtext("title") for t in ticks]
    assert any(t.startswith("00:06.000 participant-mute (alice)") for t in tips)
    assert any(t.startswith("00:05.000 conference-start") for t in tips)
    # The band tooltips say who, what and when.
    titles = [r.findtext("title") for r in svg_nodes(doc, "rect", "hold")]
    assert "bob \u00b7 on hold 00:12.000\u201300:17.000" in titles
    assert any("coaching \u2192 bob" in r.findtext("title") for r in svg_nodes(doc, "rect", "coaching"))


def test_same_scenario_twice_gives_identical_bytes(tmp_path):
    pages, models = [], []
    for run in ("a", "b"):  # different WAV paths, same sound: the picture must not care
        (tmp_path / run).mkdir()
        e = Emulator(config=EmulatorConfig(strict_actions=True))
        try:
            sid = scenario(e, tone_silence_tone(tmp_path / run / "voice.wav"))
            m = conference_timeline(e, sid)
        finally:
            e.stop()
        models.append(json.dumps(m, sort_keys=True))
        pages.append(render_html(m).encode())
    assert models[0] == models[1]
    assert pages[0] == pages[1]


def test_fifty_five_participants(emu, tmp_path):
    wav = tone_silence_tone(tmp_path / "voice.wav", second=10.0)
    emu.deliver_webhooks_to(ok_app)
    n = 55
    for i in range(n):
        emu.phone(f"+1555100{i:04d}", audio=wav, answer_after=1)
    sid = None
    for i in range(n):
        sid = add(emu, f"+1555100{i:04d}", f"caller-{i:02d}").conference_sid
    emu.advance(20)
    m = conference_timeline(emu, sid)
    assert len(m["participants"]) == n
    assert all(spans(p, "in") and spans(p, "talking") for p in m["participants"])
    doc = lxml_html.fromstring(render_html(m))
    assert len(svg_nodes(doc, "text", "lane-label")) == n + 1
    # Every row fits inside the drawing.
    [svg] = svg_nodes(doc, "svg")
    last_row_y = max(float(t.get("y")) for t in svg_nodes(doc, "text", "lane-label"))
    assert last_row_y < float(svg.get("height"))


def test_the_page_escapes_what_the_app_chose(emu):
    """Labels and names come from the app: the template autoescapes every one of them."""
    emu.phone("+15550000001", answer_after=1)
    p = emu.client.conferences("R&D").participants.create(
        from_="+15550100000", to="+15550000001", label='<img src=x onerror="alert(1)">')
    emu.advance(3)
    page = render_html(conference_timeline(emu, p.conference_sid))
    assert "<img" not in page and "R&amp;D" in page
    doc = lxml_html.fromstring(page)
    assert not doc.xpath("//img")
    assert '<img src=x onerror="alert(1)">' in doc.text_content()  # shown, as text
