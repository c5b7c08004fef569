"""<Dial><Conference>: the attribute table of Twilio's <Conference> page (seed 001), its
examples, the moderated-conference menus (seed 002), and the waitUrl verb rules (13238)."""

import pytest
from twilio.twiml.voice_response import Dial as DialBuilder
from twilio.twiml.voice_response import VoiceResponse

from twilio_conf_emulator.engine.twiml import (
    DEFAULT,
    TWILIO_HOLD_MUSIC_URL,
    WAIT_URL_VERBS,
    Conference,
    Document,
    Gather,
    InvalidVerbError,
    Pause,
    Play,
    Redirect,
    Say,
    check_allowed,
    document_from_audio,
    document_from_text,
    parse,
)
from twilio_conf_emulator.errors import TwilioError

BASE = "https://app.test/conf/join"


def conference(attrs="", name="Room 1234", base_url=BASE):
    doc = parse(f"<Response><Dial><Conference {attrs}>{name}</Conference></Dial></Response>", base_url)
    return doc.verbs[0].noun, doc.warnings


# --- seed 001: the attribute table ------------------------------------------------------------


def test_defaults_match_the_attribute_table():
    conf, warnings = conference()
    assert warnings == []
    assert conf == Conference(name="Room 1234")
    assert conf.muted is False
    assert conf.beep == "true" and conf.beep_on_enter and conf.beep_on_exit
    assert conf.start_conference_on_enter is True
    assert conf.end_conference_on_exit is False
    assert conf.participant_label is None
    assert conf.jitter_buffer_size == "large"
    assert conf.wait_url is DEFAULT and conf.wait_url.url == TWILIO_HOLD_MUSIC_URL
    assert conf.wait_method == "GET"  # no waitUrl: Twilio GETs its own playlist
    assert conf.max_participants == 250
    assert conf.record == "do-not-record"
    assert conf.region is None
    assert conf.trim == "trim-silence"
    assert conf.coach is None
    assert conf.status_callback is None
    assert conf.status_callback_event == ["start", "end"]  # when the attribute is absent
    assert conf.status_callback_method == "POST"
    assert conf.recording_status_callback is None
    assert conf.recording_status_callback_method == "POST"
    assert conf.recording_status_callback_event == ["completed"]
    assert conf.event_callback_url is None


@pytest.mark.parametrize(
    "attribute, value, field, expected",
    [
        ("muted", "true", "muted", True),
        ("muted", "false", "muted", False),
        ("beep", "false", "beep", "false"),
        ("beep", "onEnter", "beep", "onEnter"),
        ("beep", "onExit", "beep", "onExit"),
        ("startConferenceOnEnter", "false", "start_conference_on_enter", False),
        ("endConferenceOnExit", "true", "end_conference_on_exit", True),
        ("participantLabel", "customer", "participant_label", "customer"),
        ("jitterBufferSize", "small", "jitter_buffer_size", "small"),
        ("jitterBufferSize", "medium", "jitter_buffer_size", "medium"),
        ("jitterBufferSize", "off", "jitter_buffer_size", "off"),
        ("waitUrl", "http://twimlets.com/holdmusic?Bucket=com.twilio.music.ambient", "wait_url",
         "http://twimlets.com/holdmusic?Bucket=com.twilio.music.ambient"),
        ("maxParticipants", "10", "max_participants", 10),
        ("record", "record-from-start", "record", "record-from-start"),
        ("region", "ie1", "region", "ie1"),
        ("region", "jp1", "region", "jp1"),
        ("trim", "do-not-trim", "trim", "do-not-trim"),
        ("coach", "CA0123456789abcdef0123456789abcdef", "coach", "CA0123456789abcdef0123456789abcdef"),
        ("statusCallbackEvent", "start end join leave mute hold modify speaker announcement", "status_callback_event",
         ["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"]),
        ("statusCallbackEvent", "", "status_callback_event", []),  # present but empty: nothing
        ("statusCallback", "https://myapp.com/events", "status_callback", "https://myapp.com/events"),
        ("statusCallbackMethod", "GET", "status_callback_method", "GET"),
        ("recordingStatusCallback", "/rec", "recording_status_callback", "https://app.test/rec"),
        ("recordingStatusCallbackMethod", "GET", "recording_status_callback_method", "GET"),
        ("recordingStatusCallbackEvent", "in-progress completed absent", "recording_status_callback_event",
         ["in-progress", "completed", "absent"]),
        ("eventCallbackUrl", "https://myapp.com/old", "event_callback_url", "https://myapp.com/old"),
    ],
)
def test_every_allowed_value_in_the_table(attribute, value, field, expected):
    conf, warnings = conference(f'{attribute}="{value}"')
    assert warnings == []
    assert getattr(conf, field) == expected


def test_wait_url_given_means_wait_method_post_and_empty_means_silence():
    conf, _ = conference('waitUrl="hold.xml"')
    assert (conf.wait_url, conf.wait_method) == ("https://app.test/conf/hold.xml", "POST")
    conf, _ = conference('waitUrl=""')
    assert conf.wait_url == "" and conf.wait_url is not DEFAULT
    conf, _ = conference('waitUrl="music.mp3" waitMethod="GET"')
    assert conf.wait_method == "GET"


@pytest.mark.parametrize(
    "attrs, field, default, code",
    [
        ('muted="yes"', "muted", False, 13230),
        ('endConferenceOnExit="1"', "end_conference_on_exit", False, 13231),
        ('startConferenceOnEnter="nope"', "start_conference_on_enter", True, 13232),
        ('waitUrl="x" waitMethod="PUT"', "wait_method", "POST", 13234),
        ('beep="loud"', "beep", "true", 13235),
        ('maxParticipants="251"', "max_participants", 250, 12200),
        ('maxParticipants="0"', "max_participants", 250, 12200),
        ('jitterBufferSize="huge"', "jitter_buffer_size", "large", 12200),
        ('record="true"', "record", "do-not-record", 12200),
        ('region="mars1"', "region", None, 12200),
        ('trim="maybe"', "trim", "trim-silence", 12200),
        ('statusCallbackMethod="PATCH"', "status_callback_method", "POST", 12200),
    ],
)
def test_invalid_values_warn_with_twilio_codes_and_use_the_default(attrs, field, default, code):
    conf, warnings = conference(attrs)
    assert getattr(conf, field) == default
    assert [w.code for w in warnings] == [code]
    assert warnings[0].location.startswith("/Response/Dial/Conference/@")


def test_unknown_status_callback_events_are_dropped_with_a_hint_for_python_lists():
    conf, warnings = conference('statusCallbackEvent="start finish join"')
    assert conf.status_callback_event == ["start", "join"]
    assert [w.code for w in warnings] == [12200] and "finish" in warnings[0].message
    # twilio-python writes a list as its repr; Twilio would not understand it either.
    response = VoiceResponse()
    response.dial().conference("Room", status_callback_event=["start", "end"])
    doc = parse(str(response), BASE)
    assert doc.verbs[0].noun.status_callback_event == []
    assert "space-separated" in doc.warnings[0].message


def test_missing_name_is_13237_and_long_label_is_16023():
    _, warnings = conference(name="  ")
    assert [w.code for w in warnings] == [13237]
    conf, warnings = conference(f'participantLabel="{"x" * 129}"')
    assert [w.code for w in warnings] == [16023] and len(conf.participant_label) == 129


def test_conference_must_be_dials_only_noun():
    doc = parse("<Response><Dial><Conference>a</Conference><Number>+1555</Number></Dial></Response>", BASE)
    assert [w.code for w in doc.warnings] == [12200]
    assert doc.verbs[0].conference.name == "a"


def test_voice_response_conference_builder_round_trip():
    dial = DialBuilder(action="/left", hangup_on_star=True, time_limit=30)
    dial.conference(
        "LoveTwilio", muted=True, beep="onExit", start_conference_on_enter=False, end_conference_on_exit=True,
        wait_url="/wait", wait_method="GET", max_participants=12, record="record-from-start", region="de1",
        coach="CA0123456789abcdef0123456789abcdef", trim="do-not-trim", status_callback_event="join leave",
        status_callback="/events", status_callback_method="GET", recording_status_callback="/rec",
        recording_status_callback_method="GET", recording_status_callback_event="in-progress completed",
        event_callback_url="/legacy", jitter_buffer_size="off", participant_label="agent-1",
        recording_configuration_id="JZ0123",
    )
    response = VoiceResponse()
    response.append(dial)
    doc = parse(str(response), BASE)
    assert doc.warnings == []
    parsed = doc.verbs[0]
    assert (parsed.action, parsed.hangup_on_star, parsed.time_limit) == ("https://app.test/left", True, 30)
    conf = parsed.noun
    assert conf == Conference(
        name="LoveTwilio", muted=True, beep="onExit", start_conference_on_enter=False, end_conference_on_exit=True,
        participant_label="agent-1", jitter_buffer_size="off", wait_url="https://app.test/wait", wait_method="GET",
        max_participants=12, record="record-from-start", region="de1", trim="do-not-trim",
        coach="CA0123456789abcdef0123456789abcdef", status_callback="https://app.test/events",
        status_callback_event=["join", "leave"], status_callback_method="GET",
        recording_status_callback="https://app.test/rec", recording_status_callback_method="GET",
        recording_status_callback_event=["in-progress", "completed"], event_callback_url="https://app.test/legacy",
        recording_configuration_id="JZ0123",
    )
    assert conf.beep_on_exit and not conf.beep_on_enter


# --- seed 001: the page's examples ------------------------------------------------------------

EXAMPLES = {
    "1 conference": ("<Response><Dial><Conference>Room 1234</Conference></Dial></Response>", {}),
    "2 moderated, waiting": (
        '<Response>\n<Dial>\n<Conference startConferenceOnEnter="false">\nmoderated-conference-room\n'
        "</Conference>\n</Dial>\n</Response>",
        {"name": "moderated-conference-room", "start_conference_on_enter": False},
    ),
    "2 moderated, moderator": (
        '<Response><Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true">\n'
        "moderated-conference-room\n</Conference></Dial></Response>",
        {"name": "moderated-conference-room", "end_conference_on_exit": True},
    ),
    "3 evented": (
        '<Response><Dial><Conference statusCallback="https://myapp.com/events"\n'
        'statusCallbackEvent="start end join leave mute hold">\nEventedConf\n</Conference></Dial></Response>',
        {"name": "EventedConf", "status_callback": "https://myapp.com/events",
         "status_callback_event": ["start", "end", "join", "leave", "mute", "hold"]},
    ),
    "4 muted": ('<Response><Dial><Conference muted="true">SimpleRoom</Conference></Dial></Response>',
                {"name": "SimpleRoom", "muted": True}),
    "5 bridging": (
        '<Response><Dial><Conference beep="false"\nwaitUrl="http://your-webhook-host.com"\n'
        'startConferenceOnEnter="true"\nendConferenceOnExit="true">\nNoMusicNoBeepRoom\n</Conference></Dial></Response>',
        {"name": "NoMusicNoBeepRoom", "beep": "false", "wait_url": "http://your-webhook-host.com",
         "wait_method": "POST", "end_conference_on_exit": True},
    ),
    "6 hold": ('<Response><Dial><Conference beep="false">\nCustomer Waiting Room\n</Conference></Dial></Response>',
               {"name": "Customer Waiting Room", "beep": "false"}),
    "8 recording": (
        '<Response><Dial><Conference record="record-from-start"\nrecordingStatusCallback="www.myexample.com">\n'
        "LoveTwilio\n</Conference></Dial></Response>",
        # Not a scheme: Twilio treats it as a relative URL, and so do we.
        {"name": "LoveTwilio", "record": "record-from-start",
         "recording_status_callback": "https://app.test/conf/www.myexample.com"},
    ),
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_seed_001_examples(example):
    body, expected = EXAMPLES[example]
    doc = parse(body, BASE)
    assert doc.warnings == []
    conf = doc.verbs[0].noun
    for field, value in expected.items():
        assert getattr(conf, field) == value, field


def test_seed_001_example_7_dial_attributes_with_a_conference():
    doc = parse(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n<Dial action="handleLeaveConference.php"\n'
        'method="POST"\nhangupOnStar="true"\ntimeLimit="30">\n<Conference>LoveTwilio</Conference>\n</Dial>\n</Response>',
        "https://app.test/conf/join.php",
    )
    dial = doc.verbs[0]
    assert doc.warnings == []
    assert dial.action == "https://app.test/conf/handleLeaveConference.php"
    assert (dial.method, dial.hangup_on_star, dial.time_limit) == ("POST", True, 30)
    assert dial.conference.name == "LoveTwilio"


# --- seed 002: a moderated conference behind a <Gather> menu ----------------------------------

MENU = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
    <Gather action="menu.php" numDigits="1">
        <Say>Press 1 to join as a listener.</Say>
        <Say>Press 2 to join as a speaker.</Say>
        <Say>Press 3 to join as the moderator.</Say>
    </Gather>
    <Say>We did not receive a choice.</Say>
    <Redirect>menu.php</Redirect>
</Response>"""

CHOICES = {
    "1": ('<Conference muted="true" startConferenceOnEnter="false">ModeratedRoom</Conference>',
          dict(muted=True, start_conference_on_enter=False, end_conference_on_exit=False)),
    "2": ('<Conference startConferenceOnEnter="false">ModeratedRoom</Conference>',
          dict(muted=False, start_conference_on_enter=False, end_conference_on_exit=False)),
    "3": ('<Conference startConferenceOnEnter="true" endConferenceOnExit="true">ModeratedRoom</Conference>',
          dict(muted=False, start_conference_on_enter=True, end_conference_on_exit=True)),
}


def test_seed_002_menu():
    doc = parse(MENU, "https://app.test/moderated/menu.php")
    assert doc.warnings == []
    gather, fallback, again = doc.verbs
    assert isinstance(gather, Gather)
    assert gather.action == "https://app.test/moderated/menu.php"
    assert gather.num_digits == 1 and gather.finish_on_key == "#" and gather.timeout == 5
    assert [c.text for c in gather.children] == [
        "Press 1 to join as a listener.", "Press 2 to join as a speaker.", "Press 3 to join as the moderator."]
    assert fallback == Say(text="We did not receive a choice.")
    assert again == Redirect(url="https://app.test/moderated/menu.php", method="POST")


@pytest.mark.parametrize("digit", sorted(CHOICES))
def test_seed_002_each_choice(digit):
    noun, expected = CHOICES[digit]
    doc = parse(f"<Response><Dial>{noun}</Dial></Response>", "https://app.test/moderated/menu.php")
    assert doc.warnings == []
    conf = doc.verbs[0].noun
    assert conf.name == "ModeratedRoom"
    for field, value in expected.items():
        assert getattr(conf, field) == value, field


def test_seed_002_old_spelling_mute_is_not_an_attribute():
    # The HowTo's prose says "mute"; the attribute is "muted".  Twilio ignores the typo.
    conf, warnings = conference('mute="true" startConferenceOnEnter="false"', name="ModeratedRoom")
    assert conf.muted is False
    assert [w.code for w in warnings] == [12200] and "did you mean 'muted'" in warnings[0].message


# --- waitUrl / holdUrl / announceUrl documents: 13238 ------------------------------------------


def test_wait_documents_may_use_play_say_pause_redirect():
    doc = parse(
        "<Response><Say>Please wait</Say><Play>music.mp3</Play><Pause length='2'/><Redirect/></Response>",
        "https://app.test/wait.xml",
    )
    assert check_allowed(doc) is doc
    assert doc.verbs[-1].url == "https://app.test/wait.xml"  # the loop idiom
    assert WAIT_URL_VERBS == {"Play", "Say", "Pause", "Redirect"}


@pytest.mark.parametrize(
    "verb",
    ["<Dial>+1555</Dial>", "<Gather/>", "<Hangup/>", "<Record/>", "<Reject/>", "<Enqueue>q</Enqueue>"],
)
def test_other_verbs_in_a_wait_document_are_13238(verb):
    doc = parse(f"<Response><Say>hold on</Say>{verb}</Response>", "https://app.test/wait.xml")
    with pytest.raises(InvalidVerbError) as info:
        check_allowed(doc)
    assert isinstance(info.value, TwilioError) and info.value.code == 13238
    assert info.value.verbs == [doc.verbs[1].tag]


def test_check_allowed_takes_a_custom_set():
    doc = parse("<Response><Say>x</Say><Hangup/></Response>")
    assert check_allowed(doc, allowed=frozenset({"Say", "Hangup"})) is doc


def test_audio_and_text_answers_become_documents():
    audio = document_from_audio("https://cdn.test/hold.mp3")
    assert isinstance(audio, Document) and audio.verbs == [Play(url="https://cdn.test/hold.mp3")]
    assert check_allowed(audio) is audio
    text = document_from_text("  Thanks for\n calling.  ")
    assert text.verbs == [Say(text="Thanks for calling.")]
    assert [type(v) for v in check_allowed(text).verbs] == [Say]
    assert Pause() == Pause(length=1)
