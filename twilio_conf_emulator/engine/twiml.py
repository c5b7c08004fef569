"""TwiML documents: Twilio's XML turned into typed verbs with Twilio's defaults applied.

This is the document model and parser only; running the verbs is the interpreter's job.
Pure lxml: no HTTP, no Flask.

How Twilio treats a document, and so how :func:`parse` does (twilio-behavior.md §5.1, §6.2, §7):

* Not well-formed XML (including whitespace before ``<?xml``), an empty body, or a root
  other than ``<Response>`` -> **12100** Document parse failure: :class:`TwimlParseError`.
* Everything else is a *warning* (**12200** schema validation, or the specific 13xxx code
  Twilio uses for ``<Conference>`` attributes) and never stops the call: an unknown or
  wrongly-cased verb (``<say>``) is skipped, an unknown attribute is ignored, a value that
  does not parse falls back to Twilio's default.
* Twilio verbs and nouns the emulator does not run (``<Record>``, ``<Enqueue>``,
  ``<Dial><Client>``...) become :class:`Unsupported` rather than vanishing, so the
  interpreter can answer them honestly.
* Relative URLs resolve against the document's URL (``urljoin``), as Twilio does.
"""

import base64
import difflib
import re
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urljoin

from lxml import etree

from ..errors import TwilioError

PARSE_FAILURE = 12100
SCHEMA_WARNING = 12200
INVALID_WAIT_VERB = 13238

# <Conference> attribute problems have their own debugger codes (twilio-behavior.md §6.2).
CONFERENCE_MUTED = 13230
CONFERENCE_END_ON_EXIT = 13231
CONFERENCE_START_ON_ENTER = 13232
CONFERENCE_WAIT_URL = 13233
CONFERENCE_WAIT_METHOD = 13234
CONFERENCE_BEEP = 13235
CONFERENCE_NAME = 13237
PARTICIPANT_LABEL_INVALID = 16023

PARTICIPANT_LABEL_MAX = 128
MAX_PARTICIPANTS = 250

# What <Conference> plays when no waitUrl is given (TC-DOC).  Fetched with GET.
TWILIO_HOLD_MUSIC_URL = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"

# Verbs a waitUrl, holdUrl or announceUrl document may contain; anything else is 13238.
WAIT_URL_VERBS = frozenset({"Play", "Say", "Pause", "Redirect"})


# --- errors and warnings ------------------------------------------------------------------


class TwimlParseError(TwilioError):
    """12100: the body is not a TwiML document at all."""

    code = PARSE_FAILURE
    message = "Document parse failure"

    def __init__(self, detail):
        super().__init__(f"Document parse failure: {detail}")


class InvalidVerbError(TwilioError):
    """13238: a waitUrl/holdUrl/announceUrl document used a verb other than Play/Say/Pause/Redirect."""

    code = INVALID_WAIT_VERB

    def __init__(self, verbs, allowed):
        self.verbs = list(verbs)
        names = ", ".join(f"<{name}>" for name in self.verbs)
        ok = ", ".join(f"<{name}>" for name in sorted(allowed))
        super().__init__(f"Invalid verb in waitUrl, holdUrl or announceUrl TwiML: {names} (only {ok} are allowed)")


@dataclass
class TwimlWarning:
    """A non-fatal problem Twilio would log to the debugger; the call goes on."""

    message: str
    location: str  # xpath-ish: "/Response/Dial[2]/Conference/@beep"
    code: int = SCHEMA_WARNING


Warning12200 = TwimlWarning  # the name the design notes use


class _DefaultWaitUrl:
    """``Conference.wait_url`` when the attribute is absent: Twilio's own hold music.
    Distinct from ``""``, which means play nothing."""

    url = TWILIO_HOLD_MUSIC_URL

    def __repr__(self):
        return "DEFAULT"

    def __reduce__(self):  # stays a singleton through copy/pickle
        return "DEFAULT"


DEFAULT = _DefaultWaitUrl()


# --- the document model -------------------------------------------------------------------


@dataclass
class Verb:
    tag: ClassVar[str] = ""  # the TwiML element name, "Say", "Dial"...
    # Where it came from, and every attribute exactly as written (typed values are fields).
    location: str = field(default="", kw_only=True, compare=False, repr=False)
    attributes: dict = field(default_factory=dict, kw_only=True, compare=False, repr=False)


@dataclass
class Say(Verb):
    tag: ClassVar[str] = "Say"
    text: str = ""
    voice: str = "man"  # the documented legacy default
    language: str = "en-US"
    loop: int = 1  # 0 = repeat until the call ends (the interpreter caps it)


@dataclass
class Play(Verb):
    tag: ClassVar[str] = "Play"
    url: "str | None" = None
    loop: int = 1  # 0 = loop until hangup, at most 1000 times
    digits: "str | None" = None  # DTMF to play instead of (or as well as) audio; 'w' = 0.5 s


@dataclass
class Pause(Verb):
    tag: ClassVar[str] = "Pause"
    length: int = 1


@dataclass
class Gather(Verb):
    tag: ClassVar[str] = "Gather"
    action: "str | None" = None  # absent -> the document's own URL
    method: str = "POST"
    input: str = "dtmf"  # "dtmf", "speech" or "dtmf speech"
    num_digits: "int | None" = None  # None = unlimited
    timeout: int = 5
    finish_on_key: str = "#"  # "" disables it
    action_on_empty_result: bool = False
    speech_timeout: "int | str | None" = None  # None = same as timeout; "auto" allowed
    language: str = "en-US"
    hints: "str | None" = None
    profanity_filter: bool = True
    barge_in: bool = True
    partial_result_callback: "str | None" = None
    partial_result_callback_method: str = "POST"
    children: list = field(default_factory=list)  # Say, Play, Pause

    @property
    def accepts_dtmf(self):
        return "dtmf" in self.input.split()

    @property
    def accepts_speech(self):
        return "speech" in self.input.split()


@dataclass
class Redirect(Verb):
    tag: ClassVar[str] = "Redirect"
    url: "str | None" = None  # an empty <Redirect/> points at the document itself
    method: str = "POST"


@dataclass
class Hangup(Verb):
    tag: ClassVar[str] = "Hangup"


@dataclass
class Reject(Verb):
    tag: ClassVar[str] = "Reject"
    reason: str = "rejected"  # or "busy"


@dataclass
class Conference(Verb):
    tag: ClassVar[str] = "Conference"
    name: str = ""  # the room: the element text, the conference's FriendlyName
    muted: bool = False
    beep: str = "true"  # "true" | "false" | "onEnter" | "onExit"
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    participant_label: "str | None" = None
    jitter_buffer_size: str = "large"
    wait_url: "str | _DefaultWaitUrl" = DEFAULT  # DEFAULT = Twilio's music, "" = nothing
    wait_method: str = "GET"  # POST when waitUrl is given
    max_participants: int = MAX_PARTICIPANTS
    record: str = "do-not-record"
    region: "str | None" = None
    trim: str = "trim-silence"
    coach: "str | None" = None  # a Call SID
    status_callback: "str | None" = None
    status_callback_event: list = field(default_factory=lambda: ["start", "end"])
    status_callback_method: str = "POST"
    recording_status_callback: "str | None" = None
    recording_status_callback_method: str = "POST"
    recording_status_callback_event: list = field(default_factory=lambda: ["completed"])
    event_callback_url: "str | None" = None
    recording_configuration_id: "str | None" = None

    @property
    def friendly_name(self):
        return self.name

    @property
    def beep_on_enter(self):
        return self.beep in ("true", "onEnter")

    @property
    def beep_on_exit(self):
        return self.beep in ("true", "onExit")


@dataclass
class Number(Verb):
    tag: ClassVar[str] = "Number"
    number: str = ""
    send_digits: "str | None" = None
    url: "str | None" = None  # TwiML run on the called party before bridging
    method: str = "POST"
    status_callback: "str | None" = None
    status_callback_event: list = field(default_factory=lambda: ["completed"])
    status_callback_method: str = "POST"
    byoc: "str | None" = None


@dataclass
class Unsupported(Verb):
    """A real Twilio verb or noun the emulator does not run (Record, Enqueue, Client...)."""

    name: str = ""  # the element name
    text: str = ""
    children: list = field(default_factory=list)  # names of child elements, in order

    @property
    def tag(self):
        return self.name


@dataclass
class Dial(Verb):
    tag: ClassVar[str] = "Dial"
    action: "str | None" = None
    method: str = "POST"
    hangup_on_star: bool = False
    time_limit: int = 14400
    timeout: int = 30
    caller_id: "str | None" = None
    record: str = "do-not-record"
    trim: str = "do-not-trim"
    recording_status_callback: "str | None" = None
    recording_status_callback_method: str = "POST"
    recording_status_callback_event: list = field(default_factory=lambda: ["completed"])
    recording_track: str = "both"
    answer_on_bridge: bool = False
    ring_tone: "str | None" = None
    sequential: bool = False
    call_reason: "str | None" = None
    refer_url: "str | None" = None
    refer_method: str = "POST"
    text_number: "str | None" = None  # <Dial>+15551234567</Dial>
    nouns: list = field(default_factory=list)  # Conference | Number | Unsupported

    @property
    def noun(self):
        """The first noun (a bare-text number counts as a Number), or None."""
        return self.nouns[0] if self.nouns else None

    @property
    def conference(self):
        return next((n for n in self.nouns if isinstance(n, Conference)), None)


@dataclass
class Document:
    verbs: list
    warnings: list = field(default_factory=list)
    base_url: "str | None" = None  # the URL the document came from (relative URLs resolve here)
    # What it was made from, JSON-able, so a running document can be stored and rebuilt
    # (engine/twiml_state.py): ["xml", text], ["xml-b64", bytes] or ["text", text].
    source: "list | None" = None

    def __iter__(self):
        return iter(self.verbs)

    def __len__(self):
        return len(self.verbs)


# --- vocabulary ---------------------------------------------------------------------------

# Top-level verbs Twilio knows but the emulator does not run.
UNSUPPORTED_VERBS = frozenset(
    {"Connect", "Echo", "Enqueue", "Leave", "Pay", "Record", "Refer", "Sms", "Start", "Stop", "Message"}
)
# <Dial> nouns Twilio knows but the emulator does not dial.
UNSUPPORTED_NOUNS = frozenset({"Client", "Sip", "Queue", "Sim", "Application", "WhatsApp"})
# Names that only live inside another element: legal XML, wrong place at the top.
NESTED_ONLY = frozenset(
    {"Conference", "Number", "Stream", "Siprec", "Parameter", "Identity", "Room", "Prompt", "Transcription",
     "ConversationRelay", "VirtualAgent", "Config", "Language", "Task", "Autopilot", "Assistant"}
) | UNSUPPORTED_NOUNS
GATHER_CHILDREN = frozenset({"Say", "Play", "Pause"})
SSML_TAGS = frozenset({"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"})

_METHODS = ("GET", "POST")
_PROLOGUE_ENCODING = re.compile(r"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
_DIGITS = re.compile(r"^[0-9*#wW]+$")
_FINISH_KEYS = set("0123456789*#")
_CONFERENCE_EVENTS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement")
_RECORDING_EVENTS = ("in-progress", "completed", "absent", "failed")
_CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
_REGIONS = ("us1", "us2", "ie1", "de1", "sg1", "br1", "au1", "jp1")
_DIAL_RECORD = ("do-not-record", "record-from-answer", "record-from-ringing", "record-from-answer-dual",
                "record-from-ringing-dual")
_DIAL_RECORD_LEGACY = {"true": "record-from-answer", "false": "do-not-record"}


# --- parsing ------------------------------------------------------------------------------


def parse(body, base_url=None):
    """Parse a TwiML body into a :class:`Document`; raises :class:`TwimlParseError` (12100)."""
    root = _parse_xml(body)
    ctx = _Context(base_url)
    _Attrs(root, ctx, known=()).finish()  # <Response> takes no attributes
    ctx.stray_text(root, root.text, "<Response>")
    verbs = []
    for child in _elements(root, ctx):
        verb = _top_level(child, ctx)
        if verb is not None:
            verbs.append(verb)
    if isinstance(body, bytes):  # as it came (its prologue may name another encoding)
        source = ["xml-b64", base64.b64encode(body).decode("ascii")]
    else:
        source = ["xml", body]
    return Document(verbs, ctx.warnings, base_url, source)


def check_allowed(doc, allowed=WAIT_URL_VERBS):
    """Raise :class:`InvalidVerbError` (13238) if ``doc`` uses a verb outside ``allowed``.

    For documents fetched from a waitUrl, holdUrl or announceUrl.  Returns ``doc``.
    """
    bad = [verb.tag for verb in doc.verbs if verb.tag not in allowed]
    if bad:
        raise InvalidVerbError(bad, allowed)
    return doc


def document_from_audio(url):
    """A waitUrl/holdUrl (or any TwiML URL) answered with audio: play it once."""
    return Document([Play(url=url)], [], url)


def document_from_text(text, base_url=None):
    """A ``text/plain`` answer that is not TwiML: Twilio reads it aloud."""
    return Document([Say(text=" ".join(text.split()))], [], base_url, ["text", text])


def _parse_xml(body):
    if isinstance(body, str):
        # Already decoded: whatever the prologue claims, the bytes we hand lxml are UTF-8.
        body = _PROLOGUE_ENCODING.sub(r'\1"UTF-8"', body, count=1).encode("utf-8")
    if not body:
        raise TwimlParseError("the document is empty")
    # A parser per call: lxml parsers must not be shared between threads.  No DTDs, no
    # entity expansion, no network: a webhook answer is untrusted input.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise TwimlParseError(str(exc)) from None
    if root is None or root.tag != "Response":
        tag = getattr(root, "tag", None)
        raise TwimlParseError(f"the root element must be <Response>, not <{tag}>")
    return root


class _Context:
    def __init__(self, base_url):
        self.base_url = base_url
        self.warnings = []

    def warn(self, message, el, attr=None, code=SCHEMA_WARNING):
        where = el.getroottree().getpath(el) + (f"/@{attr}" if attr else "")
        self.warnings.append(TwimlWarning(message, where, code))

    def resolve(self, url):
        """Relative -> absolute against the document URL; unchanged when there is none."""
        if self.base_url is None:
            return url
        return urljoin(self.base_url, url)

    def stray_text(self, el, text, where):
        if text and text.strip():
            self.warn(f"text {text.strip()[:40]!r} is not allowed directly in {where}", el)


def _elements(parent, ctx):
    """Child elements only (entity references and the like are skipped), warning on loose text."""
    for child in parent:
        if isinstance(child.tag, str):
            yield child
        ctx.stray_text(parent, child.tail, f"<{parent.tag}>")


_KNOWN_NAMES = (
    {"Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Reject", "Dial", "Response"}
    | UNSUPPORTED_VERBS
    | NESTED_ONLY
)
_BY_LOWER = {name.lower(): name for name in _KNOWN_NAMES}


def _unknown(el, ctx, where):
    """Warn about an element that is not allowed here; the element is skipped."""
    tag = el.tag
    if tag in _KNOWN_NAMES:
        ctx.warn(f"<{tag}> is not allowed in {where}", el)
    elif tag.lower() in _BY_LOWER:
        ctx.warn(f"<{tag}> is not a TwiML verb: names are case-sensitive, did you mean <{_BY_LOWER[tag.lower()]}>?", el)
    else:
        ctx.warn(f"<{tag}> is not a TwiML verb", el)


def _top_level(el, ctx):
    parser = _VERBS.get(el.tag)
    if parser is not None:
        return parser(el, ctx)
    if el.tag in UNSUPPORTED_VERBS:
        return _unsupported(el)
    _unknown(el, ctx, "<Response>")
    return None


def _unsupported(el):
    return Unsupported(
        name=el.tag,
        text=(el.text or "").strip(),
        children=[c.tag for c in el if isinstance(c.tag, str)],
        attributes=dict(el.attrib),
        location=el.getroottree().getpath(el),
    )


def _no_children(el, ctx):
    for child in _elements(el, ctx):
        ctx.warn(f"<{child.tag}> is not allowed inside <{el.tag}>", child)


def _say(el, ctx):
    a = _Attrs(el, ctx)
    for child in el.iter():
        if child is not el and isinstance(child.tag, str) and child.tag not in SSML_TAGS:
            ctx.warn(f"<{child.tag}> is not SSML allowed inside <Say>; its text is spoken", child)
    # Element boundaries count as spaces so "Hi<break/>there" is two words for timing.
    pieces = el.xpath(".//text()")
    return a.build(Say, text=" ".join(" ".join(pieces).split()),
                   voice=a.string("voice", "man"), language=a.string("language", "en-US"),
                   loop=a.integer("loop", 1, minimum=0))


def _play(el, ctx):
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    text = (el.text or "").strip()
    digits = a.string("digits", None)
    if digits is not None and not _DIGITS.match(digits):
        ctx.warn(f"digits={digits!r}: only 0-9, *, # and w are allowed", el, "digits")
        digits = None
    if not text and digits is None:
        ctx.warn("<Play> needs a URL or digits", el)
    return a.build(Play, url=ctx.resolve(text) if text else None, loop=a.integer("loop", 1, minimum=0), digits=digits)


def _pause(el, ctx):
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    ctx.stray_text(el, el.text, "<Pause>")
    return a.build(Pause, length=a.integer("length", 1, minimum=0))


def _redirect(el, ctx):
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    text = (el.text or "").strip()
    # An empty <Redirect/> re-requests the current document (how a waitUrl loops).
    return a.build(Redirect, url=ctx.resolve(text) if text else ctx.base_url, method=a.method("method", "POST"))


def _hangup(el, ctx):
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    return a.build(Hangup)


def _reject(el, ctx):
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    return a.build(Reject, reason=a.choice("reason", "rejected", ("rejected", "busy")))


def _gather(el, ctx):
    a = _Attrs(el, ctx, known=("debug", "enhanced", "maxSpeechTime", "speechModel"))
    action = a.url("action", None)
    input_ = a.tokens("input", ["dtmf"], ("dtmf", "speech"))
    if not input_:
        ctx.warn("input must name dtmf, speech or both", el, "input")
        input_ = ["dtmf"]
    finish = a.string("finishOnKey", "#")
    if finish != "" and (len(finish) != 1 or finish not in _FINISH_KEYS):
        ctx.warn(f"finishOnKey={finish!r}: one of 0-9, *, # or empty", el, "finishOnKey")
        finish = "#"
    speech_timeout = a.string("speechTimeout", None)
    if speech_timeout is not None and speech_timeout != "auto":
        speech_timeout = a.integer("speechTimeout", None, minimum=0)
    children = []
    ctx.stray_text(el, el.text, "<Gather>")
    for child in _elements(el, ctx):
        if child.tag in GATHER_CHILDREN:
            children.append(_VERBS[child.tag](child, ctx))
        else:
            _unknown(child, ctx, "<Gather> (only <Say>, <Play> and <Pause> may be nested)")
    return a.build(
        Gather,
        action=action if action else ctx.base_url,
        method=a.method("method", "POST"),
        input=" ".join(t for t in ("dtmf", "speech") if t in input_),
        num_digits=a.integer("numDigits", None, minimum=1),
        timeout=a.integer("timeout", 5, minimum=0),
        finish_on_key=finish,
        action_on_empty_result=a.boolean("actionOnEmptyResult", False),
        speech_timeout=speech_timeout,
        language=a.string("language", "en-US"),
        hints=a.string("hints", None),
        profanity_filter=a.boolean("profanityFilter", True),
        barge_in=a.boolean("bargeIn", True),
        partial_result_callback=a.url("partialResultCallback", None),
        partial_result_callback_method=a.method("partialResultCallbackMethod", "POST"),
        children=children,
    )


def _dial(el, ctx):
    a = _Attrs(el, ctx, known=("events", "passports", "recordingConfigurationId"))
    record = a.string("record", "do-not-record")
    record = _DIAL_RECORD_LEGACY.get(record, record)
    if record not in _DIAL_RECORD:
        ctx.warn(f"record={record!r} is not one of {', '.join(_DIAL_RECORD)}", el, "record")
        record = "do-not-record"
    nouns = []
    for child in _elements(el, ctx):
        if child.tag == "Conference":
            nouns.append(_conference(child, ctx))
        elif child.tag == "Number":
            nouns.append(_number(child, ctx))
        elif child.tag in UNSUPPORTED_NOUNS:
            nouns.append(_unsupported(child))
        else:
            _unknown(child, ctx, "<Dial>")
    text = (el.text or "").strip() or None
    text_number = None
    if text and nouns:
        ctx.warn("<Dial> has both a bare number and nouns; the bare number is ignored", el)
    elif text:
        text_number = text
        nouns.append(Number(number=text, location=el.getroottree().getpath(el)))
    if not nouns:
        ctx.warn("<Dial> has nothing to dial", el)
    if any(isinstance(n, Conference) for n in nouns) and len(nouns) > 1:
        ctx.warn("<Conference> must be the only noun in <Dial>", el)
    return a.build(
        Dial,
        action=a.url("action", None),
        method=a.method("method", "POST"),
        hangup_on_star=a.boolean("hangupOnStar", False),
        time_limit=a.integer("timeLimit", 14400, minimum=1),
        timeout=a.integer("timeout", 30, minimum=1),
        caller_id=a.string("callerId", None),
        record=record,
        trim=a.choice("trim", "do-not-trim", ("trim-silence", "do-not-trim")),
        recording_status_callback=a.url("recordingStatusCallback", None),
        recording_status_callback_method=a.method("recordingStatusCallbackMethod", "POST"),
        recording_status_callback_event=a.tokens("recordingStatusCallbackEvent", ["completed"], _RECORDING_EVENTS),
        recording_track=a.choice("recordingTrack", "both", ("both", "inbound", "outbound")),
        answer_on_bridge=a.boolean("answerOnBridge", False),
        ring_tone=a.string("ringTone", None),
        sequential=a.boolean("sequential", False),
        call_reason=a.string("callReason", None),
        refer_url=a.url("referUrl", None),
        refer_method=a.method("referMethod", "POST"),
        text_number=text_number,
        nouns=nouns,
    )


def _conference(el, ctx):
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    room = (el.text or "").strip()
    if not room:
        ctx.warn("<Conference> needs a room name", el, code=CONFERENCE_NAME)
    label = a.string("participantLabel", None)
    if label is not None and (not label or len(label) > PARTICIPANT_LABEL_MAX):
        ctx.warn(f"participantLabel must be 1-{PARTICIPANT_LABEL_MAX} characters", el, "participantLabel",
                 code=PARTICIPANT_LABEL_INVALID)
    raw_wait = a.raw("waitUrl")
    if raw_wait is None:
        wait_url = DEFAULT
    elif raw_wait.strip() == "":
        wait_url = ""
    else:
        wait_url = ctx.resolve(raw_wait.strip())
    return a.build(
        Conference,
        name=room,
        muted=a.boolean("muted", False, code=CONFERENCE_MUTED),
        beep=a.choice("beep", "true", ("true", "false", "onEnter", "onExit"), code=CONFERENCE_BEEP),
        start_conference_on_enter=a.boolean("startConferenceOnEnter", True, code=CONFERENCE_START_ON_ENTER),
        end_conference_on_exit=a.boolean("endConferenceOnExit", False, code=CONFERENCE_END_ON_EXIT),
        participant_label=label,
        jitter_buffer_size=a.choice("jitterBufferSize", "large", ("small", "medium", "large", "off")),
        wait_url=wait_url,
        wait_method=a.method("waitMethod", "GET" if wait_url is DEFAULT else "POST", code=CONFERENCE_WAIT_METHOD),
        max_participants=a.integer("maxParticipants", MAX_PARTICIPANTS, minimum=1, maximum=MAX_PARTICIPANTS),
        record=a.choice("record", "do-not-record", ("do-not-record", "record-from-start")),
        region=a.choice("region", None, _REGIONS),
        trim=a.choice("trim", "trim-silence", ("trim-silence", "do-not-trim")),
        coach=a.string("coach", None),
        status_callback=a.url("statusCallback", None),
        status_callback_event=a.tokens("statusCallbackEvent", ["start", "end"], _CONFERENCE_EVENTS),
        status_callback_method=a.method("statusCallbackMethod", "POST"),
        recording_status_callback=a.url("recordingStatusCallback", None),
        recording_status_callback_method=a.method("recordingStatusCallbackMethod", "POST"),
        recording_status_callback_event=a.tokens("recordingStatusCallbackEvent", ["completed"], _RECORDING_EVENTS),
        event_callback_url=a.url("eventCallbackUrl", None),
        recording_configuration_id=a.string("recordingConfigurationId", None),
    )


def _number(el, ctx):
    a = _Attrs(el, ctx, known=("machineDetection", "machineDetectionTimeout", "machineDetectionSpeechThreshold",
                               "machineDetectionSpeechEndThreshold", "machineDetectionSilenceTimeout",
                               "amdStatusCallback", "amdStatusCallbackMethod"))
    _no_children(el, ctx)
    number = (el.text or "").strip()
    if not number:
        ctx.warn("<Number> needs a phone number", el)
    send_digits = a.string("sendDigits", None)
    if send_digits is not None and not _DIGITS.match(send_digits):
        ctx.warn(f"sendDigits={send_digits!r}: only 0-9, *, # and w are allowed", el, "sendDigits")
        send_digits = None
    return a.build(
        Number,
        number=number,
        send_digits=send_digits,
        url=a.url("url", None),
        method=a.method("method", "POST"),
        status_callback=a.url("statusCallback", None),
        status_callback_event=a.tokens("statusCallbackEvent", ["completed"], _CALL_EVENTS),
        status_callback_method=a.method("statusCallbackMethod", "POST"),
        byoc=a.string("byoc", None),
    )


_VERBS = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Gather": _gather,
    "Redirect": _redirect,
    "Hangup": _hangup,
    "Reject": _reject,
    "Dial": _dial,
}


class _Attrs:
    """Typed access to one element's attributes.  Every read marks the name as known;
    :meth:`build` then warns about whatever was written but never read."""

    def __init__(self, el, ctx, known=()):
        self.el, self.ctx = el, ctx
        self.known = set(known)

    def raw(self, name):
        self.known.add(name)
        return self.el.get(name)

    def _bad(self, name, value, expected, code):
        self.ctx.warn(f"{name}={value!r} is not {expected}; using the default", self.el, name, code)

    def string(self, name, default):
        value = self.raw(name)
        return default if value is None else value

    def choice(self, name, default, allowed, code=SCHEMA_WARNING):
        value = self.raw(name)
        if value is None:
            return default
        if value in allowed:
            return value
        self._bad(name, value, "one of " + ", ".join(allowed), code)
        return default

    def boolean(self, name, default, code=SCHEMA_WARNING):
        value = self.raw(name)
        if value is None:
            return default
        if value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self._bad(name, value, "true or false", code)
        return default

    def integer(self, name, default, minimum=None, maximum=None, code=SCHEMA_WARNING):
        value = self.raw(name)
        if value is None:
            return default
        text = value.strip()
        ok = re.fullmatch(r"[+-]?\d+", text) is not None
        number = int(text) if ok else None
        if ok and (minimum is None or number >= minimum) and (maximum is None or number <= maximum):
            return number
        bounds = "an integer"
        if minimum is not None and maximum is not None:
            bounds = f"an integer from {minimum} to {maximum}"
        elif minimum is not None:
            bounds = f"an integer >= {minimum}"
        self._bad(name, value, bounds, code)
        return default

    def method(self, name, default, code=SCHEMA_WARNING):
        value = self.raw(name)
        if value is None:
            return default
        if value.strip().upper() in _METHODS:
            return value.strip().upper()
        self._bad(name, value, "GET or POST", code)
        return default

    def url(self, name, default):
        """A URL attribute, resolved against the document; empty counts as absent."""
        value = self.raw(name)
        if value is None or not value.strip():
            return default
        return self.ctx.resolve(value.strip())

    def tokens(self, name, default, allowed):
        """A space-separated list (statusCallbackEvent="start end join").  Absent -> default;
        unknown words are dropped with a warning."""
        value = self.raw(name)
        if value is None:
            return list(default)
        words, bad = [], []
        for word in value.split():
            (words if word in allowed else bad).append(word)
        if bad:
            hint = ""
            if value.lstrip().startswith("["):
                hint = " (a Python list was passed to twilio-python; pass a space-separated string)"
            self.ctx.warn(f"{name}: ignoring {' '.join(bad)!r}, expected words from {' '.join(allowed)}{hint}",
                          self.el, name)
        return list(dict.fromkeys(words))

    def finish(self):
        for name in self.el.attrib:
            if name in self.known:
                continue
            hint = ""
            near = [k for k in self.known if k.lower() == name.lower()]
            if near:
                hint = f"; names are case-sensitive, did you mean {near[0]!r}?"
            else:
                near = difflib.get_close_matches(name, sorted(self.known), n=1, cutoff=0.8)
                hint = f"; did you mean {near[0]!r}?" if near else ""
            self.ctx.warn(f"<{self.el.tag}> has no attribute {name!r}{hint}", self.el, name)

    def build(self, cls, **values):
        self.finish()
        return cls(**values, location=self.el.getroottree().getpath(self.el), attributes=dict(self.el.attrib))
