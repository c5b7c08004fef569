"""engine.twiml.parse: verbs, Twilio's defaults, 12100 failures and 12200 warnings."""

import re

import pytest
from twilio.twiml.voice_response import Gather as GatherBuilder
from twilio.twiml.voice_response import VoiceResponse

from twilio_conf_emulator.engine import twiml
from twilio_conf_emulator.engine.twiml import (
    DEFAULT,
    Conference,
    Dial,
    Document,
    Gather,
    Hangup,
    Number,
    Pause,
    Play,
    Redirect,
    Reject,
    Say,
    TwimlParseError,
    Unsupported,
    parse,
)
from twilio_conf_emulator.errors import TwilioError
from twilio_conf_emulator.webhooks.content import looks_like_twiml

BASE = "https://app.test/voice/answer?tenant=7"


def only(body, base_url=BASE):
    doc = parse(body, base_url)
    assert len(doc.verbs) == 1, doc.verbs
    return doc.verbs[0]


def codes(doc):
    return [w.code for w in doc.warnings]


# --- 12100: not a TwiML document -------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<Response>",  # not well-formed
        b"<Response><Say>hi</Response>",
        b'  <?xml version="1.0" encoding="UTF-8"?><Response/>',  # whitespace before the prologue
        b'\n<?xml version="1.0"?><Response/>',
        b"<response><Say>hi</Say></response>",  # names are case-sensitive
        b"<Dial><Conference>x</Conference></Dial>",  # no <Response> root
        b"<html><body>Internal Server Error</body></html>",
        b"Please hold.",
        b'<Response xmlns="urn:other"/>',
    ],
)
def test_not_a_document_raises_12100(body):
    with pytest.raises(TwimlParseError) as info:
        parse(body, BASE)
    assert isinstance(info.value, TwilioError)
    assert info.value.code == 12100
    assert info.value.message.startswith("Document parse failure")


@pytest.mark.parametrize(
    "body",
    [
        b"<Response/>",
        b"\n  <Response></Response>",  # whitespace without a prologue is fine
        b'<?xml version="1.0" encoding="UTF-8"?><Response/>',
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?><Response/>',  # BOM
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Grüß Gott</Say></Response>',  # str with prologue
        b"<Response><!-- a comment --><Say>hi</Say></Response>",
    ],
)
def test_documents_that_parse(body):
    doc = parse(body, BASE)
    assert isinstance(doc, Document) and doc.base_url == BASE and doc.warnings == []


def test_webhooks_text_plain_rule_agrees_with_the_parser():
    # classify() decides "TwiML or text to read aloud" for text/plain without importing the engine.
    bodies = [
        b"<Response/>", b"<Response>", b"hello", b"  <?xml version='1.0'?><Response/>", b"<html/>",
        b"<Response><Foo/></Response>", b"", "<Response><Say>é</Say></Response>".encode(),
    ]
    for body in bodies:
        try:
            parse(body)
            parses = True
        except TwimlParseError:
            parses = False
        assert looks_like_twiml(body) is parses, body


def test_entities_are_not_expanded():
    body = b'<!DOCTYPE Response [<!ENTITY x "EXPANDED">]><Response><Say>a &x; b</Say></Response>'
    assert "EXPANDED" not in only(body).text


# --- every verb with Twilio's defaults ----------------------------------------------------


def test_bare_verbs_get_twilio_defaults():
    doc = parse(
        "<Response><Say>Hello</Say><Play>music.mp3</Play><Pause/><Gather/><Redirect>next</Redirect>"
        "<Hangup/><Reject/><Dial>+15551234567</Dial></Response>",
        BASE,
    )
    say, play, pause, gather, redirect, hangup, reject, dial = doc.verbs
    assert say == Say(text="Hello", voice="man", language="en-US", loop=1)
    assert play == Play(url="https://app.test/voice/music.mp3", loop=1, digits=None)
    assert pause == Pause(length=1)
    assert (gather.action, gather.method, gather.input, gather.num_digits, gather.timeout) == (BASE, "POST", "dtmf", None, 5)
    assert (gather.finish_on_key, gather.action_on_empty_result, gather.children) == ("#", False, [])
    assert (gather.speech_timeout, gather.language, gather.profanity_filter, gather.barge_in) == (None, "en-US", True, True)
    assert redirect == Redirect(url="https://app.test/voice/next", method="POST")
    assert hangup == Hangup()
    assert reject == Reject(reason="rejected")
    assert (dial.action, dial.method, dial.hangup_on_star, dial.time_limit, dial.timeout) == (None, "POST", False, 14400, 30)
    assert (dial.record, dial.trim, dial.answer_on_bridge, dial.caller_id) == ("do-not-record", "do-not-trim", False, None)
    assert dial.recording_status_callback_event == ["completed"]
    assert dial.text_number == "+15551234567"
    assert dial.noun == Number(number="+15551234567")
    assert doc.warnings == []


def test_typed_values():
    doc = parse(
        '<Response><Say voice="Polly.Joanna" language="fr-FR" loop="0">Bonjour</Say>'
        '<Play loop="3" digits="ww1234#">https://cdn.test/a.wav</Play><Play digits="9"/>'
        '<Pause length="7"/><Reject reason="busy"/>'
        '<Redirect method="get">https://other.test/next</Redirect></Response>',
        BASE,
    )
    say, play, digits_only, pause, reject, redirect = doc.verbs
    assert (say.voice, say.language, say.loop, say.text) == ("Polly.Joanna", "fr-FR", 0, "Bonjour")
    assert (play.loop, play.digits, play.url) == (3, "ww1234#", "https://cdn.test/a.wav")
    assert (digits_only.url, digits_only.digits) == (None, "9")
    assert pause.length == 7 and reject.reason == "busy"
    assert redirect == Redirect(url="https://other.test/next", method="GET")
    assert doc.warnings == []


def test_gather_attributes_and_children():
    gather = only(
        '<Response><Gather action="/menu" method="GET" input="speech dtmf" numDigits="1" timeout="10" '
        'finishOnKey="" actionOnEmptyResult="true" speechTimeout="auto" language="es-MX" hints="yes,no" '
        'profanityFilter="false" bargeIn="false" partialResultCallback="partial">'
        "<Say>Press 1</Say><Pause length=\"2\"/><Play>beep.wav</Play></Gather></Response>"
    )
    assert gather.action == "https://app.test/menu" and gather.method == "GET"
    assert gather.input == "dtmf speech" and gather.accepts_dtmf and gather.accepts_speech
    assert (gather.num_digits, gather.timeout, gather.finish_on_key) == (1, 10, "")
    assert gather.action_on_empty_result is True and gather.speech_timeout == "auto"
    assert (gather.language, gather.hints, gather.profanity_filter, gather.barge_in) == ("es-MX", "yes,no", False, False)
    assert gather.partial_result_callback == "https://app.test/voice/partial"
    assert [type(c) for c in gather.children] == [Say, Pause, Play]
    assert gather.children[2].url == "https://app.test/voice/beep.wav"


def test_say_text_keeps_ssml_words_apart():
    response = VoiceResponse()
    say = response.say("Your code is", voice="Polly.Amy")
    say.say_as("1234", interpret_as="digits")
    say.break_(time="500ms")
    say.emphasis("thank you", level="strong")
    doc = parse(str(response))
    assert doc.verbs[0].text == "Your code is 1234 thank you"
    assert doc.warnings == []


def test_dial_attributes():
    dial = only(
        '<Response><Dial action="after" method="GET" hangupOnStar="true" timeLimit="30" timeout="12" '
        'callerId="+15550001111" record="true" trim="trim-silence" recordingStatusCallback="rec" '
        'recordingStatusCallbackMethod="GET" recordingStatusCallbackEvent="in-progress completed" '
        'answerOnBridge="true" ringTone="de" recordingTrack="inbound" sequential="true">'
        "<Number>+15552223333</Number></Dial></Response>"
    )
    assert (dial.action, dial.method, dial.hangup_on_star, dial.time_limit, dial.timeout) == (
        "https://app.test/voice/after", "GET", True, 30, 12)
    assert dial.caller_id == "+15550001111"
    assert dial.record == "record-from-answer"  # legacy "true"
    assert (dial.trim, dial.recording_status_callback, dial.recording_status_callback_method) == (
        "trim-silence", "https://app.test/voice/rec", "GET")
    assert dial.recording_status_callback_event == ["in-progress", "completed"]
    assert (dial.answer_on_bridge, dial.ring_tone, dial.recording_track, dial.sequential) == (True, "de", "inbound", True)
    assert dial.text_number is None and dial.noun.number == "+15552223333"


def test_number_noun():
    dial = only(
        '<Response><Dial><Number sendDigits="ww1928" url="screen" method="GET" statusCallback="/status" '
        'statusCallbackEvent="initiated ringing answered completed" statusCallbackMethod="GET">'
        " +15552223333 </Number><Number>+15554445555</Number></Dial></Response>"
    )
    first, second = dial.nouns
    assert first == Number(
        number="+15552223333", send_digits="ww1928", url="https://app.test/voice/screen", method="GET",
        status_callback="https://app.test/status",
        status_callback_event=["initiated", "ringing", "answered", "completed"], status_callback_method="GET",
    )
    assert second.number == "+15554445555" and dial.noun is first


def test_verbs_the_emulator_does_not_run_are_kept_as_unsupported():
    response = VoiceResponse()
    response.start().stream(url="wss://media.test/s")
    response.record(max_length=10)
    response.enqueue("support")
    response.leave()
    response.connect().stream(url="wss://media.test/c")
    dial = response.dial()
    dial.client("agent")
    dial.sip("sip:agent@pbx.test")
    dial.queue("support")
    doc = parse(str(response))
    assert [v.tag for v in doc.verbs] == ["Start", "Record", "Enqueue", "Leave", "Connect", "Dial"]
    assert all(isinstance(v, Unsupported) for v in doc.verbs[:5] if v.tag != "Enqueue")
    assert doc.verbs[0].children == ["Stream"] and doc.verbs[1].attributes == {"maxLength": "10"}
    # <Enqueue> is parsed (engine/enqueue.py); a named queue without workflowSid is skipped
    # with a warning when it runs.
    assert doc.verbs[2].queue_name == "support" and doc.verbs[2].workflow_sid is None
    # <Client> and <Sip> are dialled (engine/twiml/endpoints); <Queue> is not.
    assert [(type(n).__name__, n.tag) for n in doc.verbs[5].nouns] == [
        ("Client", "Client"), ("Sip", "Sip"), ("Unsupported", "Queue")]
    assert [n.number for n in doc.verbs[5].nouns[:2]] == ["client:agent", "sip:agent@pbx.test"]
    assert doc.warnings == []


# --- 12200 warnings: never an exception ------------------------------------------------------


def test_unknown_and_wrongly_cased_verbs_are_skipped_with_a_warning():
    doc = parse("<Response><say>hi</say><Foo/><Say>kept</Say><Stream url='wss://x'/></Response>", BASE)
    assert doc.verbs == [Say(text="kept")]
    assert codes(doc) == [12200, 12200, 12200]
    assert "did you mean <Say>" in doc.warnings[0].message
    assert doc.warnings[0].location == "/Response/say"
    assert "not allowed in <Response>" in doc.warnings[2].message  # a noun at the wrong level


def test_unknown_and_wrongly_cased_attributes_are_ignored_with_a_warning():
    doc = parse('<Response><Gather numdigits="1" color="red" timeout="3"/></Response>', BASE)
    gather = doc.verbs[0]
    assert gather.num_digits is None and gather.timeout == 3
    messages = {w.location: w.message for w in doc.warnings}
    assert "did you mean 'numDigits'" in messages["/Response/Gather/@numdigits"]
    assert "color" in messages["/Response/Gather/@color"]


@pytest.mark.parametrize(
    "body, path",
    [
        ("<Response><Gather><Dial>+1555</Dial><Say>ok</Say></Gather></Response>", "/Response/Gather/Dial"),
        ("<Response><Dial><Say>no</Say><Number>+1555</Number></Dial></Response>", "/Response/Dial/Say"),
        ("<Response><Play>a.mp3<Say>x</Say></Play></Response>", "/Response/Play/Say"),
        ("<Response><Pause><Pause/></Pause></Response>", "/Response/Pause/Pause"),
        ("<Response><Conference>room</Conference></Response>", "/Response/Conference"),
    ],
)
def test_bad_nesting_is_a_warning_and_the_child_is_dropped(body, path):
    doc = parse(body, BASE)
    assert [w.location for w in doc.warnings] == [path]
    assert doc.warnings[0].code == 12200


def test_gather_keeps_its_allowed_children_around_a_bad_one():
    doc = parse("<Response><Gather><Dial>+1555</Dial><Say>ok</Say></Gather></Response>", BASE)
    assert doc.verbs[0].children == [Say(text="ok")]


@pytest.mark.parametrize(
    "body, attribute, expected",
    [
        ('<Say loop="twice">x</Say>', "loop", 1),
        ('<Say loop="-1">x</Say>', "loop", 1),
        ('<Pause length="1.5"/>', "length", 1),
        ('<Gather timeout="soon"/>', "timeout", 5),
        ('<Gather numDigits="0"/>', "num_digits", None),
        ('<Gather method="PUT"/>', "method", "POST"),
        ('<Gather finishOnKey="##"/>', "finish_on_key", "#"),
        ('<Gather actionOnEmptyResult="yes"/>', "action_on_empty_result", False),
        ('<Reject reason="go-away"/>', "reason", "rejected"),
        ('<Redirect method="DELETE">x</Redirect>', "method", "POST"),
        ('<Play digits="12x">a.mp3</Play>', "digits", None),
        ('<Dial timeout="0">+1555</Dial>', "timeout", 30),
        ('<Dial record="always">+1555</Dial>', "record", "do-not-record"),
        ('<Dial hangupOnStar="1">+1555</Dial>', "hangup_on_star", False),
    ],
)
def test_unparseable_values_fall_back_to_the_default_with_a_warning(body, attribute, expected):
    doc = parse(f"<Response>{body}</Response>", BASE)
    assert getattr(doc.verbs[0], attribute) == expected
    assert codes(doc) == [12200]
    xml_attribute = re.search(r"(\w+)=", body).group(1)
    assert doc.warnings[0].location == f"/Response/{doc.verbs[0].tag}/@{xml_attribute}"


def test_booleans_and_methods_are_case_insensitive():
    dial = only('<Response><Dial hangupOnStar="True" method="get">+1555</Dial></Response>')
    assert dial.hangup_on_star is True and dial.method == "GET"


def test_stray_text_and_empty_verbs_warn():
    doc = parse("<Response>hello<Play/><Dial/></Response>", BASE)
    assert codes(doc) == [12200, 12200, 12200]
    assert [type(v) for v in doc.verbs] == [Play, Dial]


def test_bare_text_and_nouns_in_dial():
    dial = only("<Response><Dial>+15550000000<Number>+15551111111</Number></Dial></Response>")
    assert [n.number for n in dial.nouns] == ["+15551111111"] and dial.text_number is None


# --- relative URLs -----------------------------------------------------------------------


def test_relative_urls_resolve_against_the_document_url():
    doc = parse(
        '<Response><Gather action="../menu?step=2"/><Redirect>/absolute</Redirect>'
        "<Play>//cdn.test/x.mp3</Play><Redirect>https://else.test/y</Redirect>"
        '<Dial action="done"><Conference waitUrl="wait.xml" statusCallback="events" '
        'recordingStatusCallback="rec" eventCallbackUrl="old">r</Conference></Dial></Response>',
        BASE,
    )
    gather, redirect, play, absolute, dial = doc.verbs
    assert gather.action == "https://app.test/menu?step=2"
    assert redirect.url == "https://app.test/absolute"
    assert play.url == "https://cdn.test/x.mp3"
    assert absolute.url == "https://else.test/y"
    assert dial.action == "https://app.test/voice/done"
    conference = dial.noun
    assert conference.wait_url == "https://app.test/voice/wait.xml"
    assert conference.status_callback == "https://app.test/voice/events"
    assert conference.recording_status_callback == "https://app.test/voice/rec"
    assert conference.event_callback_url == "https://app.test/voice/old"


def test_empty_redirect_and_absent_gather_action_mean_the_document_itself():
    doc = parse("<Response><Gather/><Redirect/><Redirect>  </Redirect></Response>", BASE)
    assert [doc.verbs[0].action, doc.verbs[1].url, doc.verbs[2].url] == [BASE, BASE, BASE]


def test_without_a_document_url_relative_urls_stay_as_written():
    # e.g. TwiML given inline through the Calls API ``Twiml`` parameter.
    doc = parse('<Response><Gather/><Redirect/><Play>a.mp3</Play><Dial action="next">+1</Dial></Response>', None)
    assert doc.verbs[0].action is None and doc.verbs[1].url is None
    assert doc.verbs[2].url == "a.mp3" and doc.verbs[3].action == "next"


def test_empty_url_attributes_count_as_absent():
    dial = only('<Response><Dial action=""><Conference statusCallback="">r</Conference></Dial></Response>')
    assert dial.action is None and dial.noun.status_callback is None


# --- twilio-python output ------------------------------------------------------------------


def test_accepts_everything_voice_response_emits_for_the_supported_verbs():
    response = VoiceResponse()
    response.say("Welcome", voice="alice", language="en-GB", loop=2)
    response.play("https://cdn.test/hello.mp3", loop=0)
    response.pause(length=3)
    gather = GatherBuilder(action="/menu", method="POST", num_digits=1, timeout=7, finish_on_key="*",
                           action_on_empty_result=True, input="dtmf")
    gather.say("Press 1")
    response.append(gather)
    dial = response.dial(action="/after", hangup_on_star=True, time_limit=600, answer_on_bridge=True)
    dial.conference("Room 1234", beep="onEnter", start_conference_on_enter=False, end_conference_on_exit=True,
                    wait_url="", status_callback="/events", status_callback_event="start end join leave")
    response.redirect("/again", method="GET")
    response.hangup()
    response.reject(reason="busy")
    doc = parse(str(response), BASE)
    assert doc.warnings == []
    say, play, pause, gather, dial, redirect, hangup, reject = doc.verbs
    assert say == Say(text="Welcome", voice="alice", language="en-GB", loop=2)
    assert play == Play(url="https://cdn.test/hello.mp3", loop=0)
    assert pause == Pause(length=3)
    assert isinstance(gather, Gather) and gather.action == "https://app.test/menu" and gather.finish_on_key == "*"
    assert gather.num_digits == 1 and gather.timeout == 7 and gather.action_on_empty_result is True
    assert isinstance(dial, Dial) and dial.action == "https://app.test/after" and dial.time_limit == 600
    assert isinstance(dial.noun, Conference) and dial.noun.name == "Room 1234" and dial.noun.wait_url == ""
    assert dial.noun.status_callback_event == ["start", "end", "join", "leave"]
    assert redirect == Redirect(url="https://app.test/again", method="GET")
    assert (hangup, reject) == (Hangup(), Reject(reason="busy"))


def test_location_and_raw_attributes_are_kept_for_debugging():
    doc = parse('<Response><Say>a</Say><Say loop="2">b</Say></Response>', BASE)
    assert [v.location for v in doc.verbs] == ["/Response/Say[1]", "/Response/Say[2]"]
    assert doc.verbs[1].attributes == {"loop": "2"}


def test_module_exposes_the_default_wait_url_sentinel():
    assert twiml.DEFAULT is DEFAULT and repr(DEFAULT) == "DEFAULT" and DEFAULT != ""


def test_declared_encodings_are_honoured_for_bytes_and_ignored_for_text():
    latin1 = '<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>Grüß Gott</Say></Response>'
    assert only(latin1.encode("latin-1")).text == "Grüß Gott"  # bytes: the prologue says how to decode
    assert only(latin1).text == "Grüß Gott"  # str: already decoded, the prologue is moot
