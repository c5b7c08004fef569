"""The TwiML document model: debugger codes, typed verbs and nouns with Twilio's defaults,
and the vocabulary the parser knows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import TwilioError
from ..default_wait_url import DEFAULT, TWILIO_HOLD_MUSIC_URL, _DefaultWaitUrl  # noqa: F401 - the model's names

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

# Verbs a waitUrl, holdUrl or announceUrl document may contain; anything else is 13238.
WAIT_URL_VERBS = frozenset({"Play", "Say", "Pause", "Redirect"})


# --- errors and warnings ------------------------------------------------------------------


class TwimlParseError(TwilioError):
    """12100: the body is not a TwiML document at all."""

    code = PARSE_FAILURE
    message = "Document parse failure"

    def __init__(self, detail: str) -> None:
        super().__init__(f"Document parse failure: {detail}")


class InvalidVerbError(TwilioError):
    """13238: a waitUrl/holdUrl/announceUrl document used a verb other than Play/Say/Pause/Redirect."""

    code = INVALID_WAIT_VERB

    def __init__(self, verbs: list[str], allowed: Iterable[str]) -> None:
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
    url: str | None = None
    loop: int = 1  # 0 = loop until hangup, at most 1000 times
    digits: str | None = None  # DTMF to play instead of (or as well as) audio; 'w' = 0.5 s


@dataclass
class Pause(Verb):
    tag: ClassVar[str] = "Pause"
    length: int = 1


@dataclass
class Gather(Verb):
    tag: ClassVar[str] = "Gather"
    action: str | None = None  # absent -> the document's own URL
    method: str = "POST"
    input: str = "dtmf"  # "dtmf", "speech" or "dtmf speech"
    num_digits: int | None = None  # None = unlimited
    timeout: int = 5
    finish_on_key: str = "#"  # "" disables it
    action_on_empty_result: bool = False
    speech_timeout: int | str | None = None  # None = same as timeout; "auto" allowed
    language: str = "en-US"
    hints: str | None = None
    profanity_filter: bool = True
    barge_in: bool = True
    partial_result_callback: str | None = None
    partial_result_callback_method: str = "POST"
    children: list = field(default_factory=list)  # Say, Play, Pause

    @property
    def accepts_dtmf(self) -> bool:
        return "dtmf" in self.input.split()

    @property
    def accepts_speech(self) -> bool:
        return "speech" in self.input.split()


@dataclass
class Redirect(Verb):
    tag: ClassVar[str] = "Redirect"
    url: str | None = None  # an empty <Redirect/> points at the document itself
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
    participant_label: str | None = None
    jitter_buffer_size: str = "large"
    wait_url: str | _DefaultWaitUrl = DEFAULT  # DEFAULT = Twilio's music, "" = nothing
    wait_method: str = "GET"  # POST when waitUrl is given
    max_participants: int = MAX_PARTICIPANTS
    record: str = "do-not-record"
    region: str | None = None
    trim: str = "trim-silence"
    coach: str | None = None  # a Call SID
    status_callback: str | None = None
    status_callback_event: list = field(default_factory=lambda: ["start", "end"])
    status_callback_method: str = "POST"
    recording_status_callback: str | None = None
    recording_status_callback_method: str = "POST"
    recording_status_callback_event: list = field(default_factory=lambda: ["completed"])
    event_callback_url: str | None = None
    recording_configuration_id: str | None = None

    @property
    def friendly_name(self) -> str:
        return self.name

    @property
    def beep_on_enter(self) -> bool:
        return self.beep in ("true", "onEnter")

    @property
    def beep_on_exit(self) -> bool:
        return self.beep in ("true", "onExit")


@dataclass
class Number(Verb):
    tag: ClassVar[str] = "Number"
    number: str = ""
    send_digits: str | None = None
    url: str | None = None  # TwiML run on the called party before bridging
    method: str = "POST"
    status_callback: str | None = None
    status_callback_event: list = field(default_factory=lambda: ["completed"])
    status_callback_method: str = "POST"
    byoc: str | None = None


@dataclass
class Unsupported(Verb):
    """A real Twilio verb or noun the emulator does not run (Record, Enqueue, Client...)."""

    name: str = ""  # the element name
    text: str = ""
    children: list = field(default_factory=list)  # names of child elements, in order

    @property  # the element's own name, unlike the verbs' class-wide tags
    def tag(self) -> str:  # type: ignore[override]
        return self.name


@dataclass
class Dial(Verb):
    tag: ClassVar[str] = "Dial"
    action: str | None = None
    method: str = "POST"
    hangup_on_star: bool = False
    time_limit: int = 14400
    timeout: int = 30
    caller_id: str | None = None
    record: str = "do-not-record"
    trim: str = "do-not-trim"
    recording_status_callback: str | None = None
    recording_status_callback_method: str = "POST"
    recording_status_callback_event: list = field(default_factory=lambda: ["completed"])
    recording_track: str = "both"
    answer_on_bridge: bool = False
    ring_tone: str | None = None
    sequential: bool = False
    call_reason: str | None = None
    refer_url: str | None = None
    refer_method: str = "POST"
    text_number: str | None = None  # <Dial>+15551234567</Dial>
    nouns: list = field(default_factory=list)  # Conference | Number | Unsupported

    @property
    def noun(self) -> Any:
        """The first noun (a bare-text number counts as a Number), or None."""
        return self.nouns[0] if self.nouns else None

    @property
    def conference(self) -> Conference | None:
        return next((n for n in self.nouns if isinstance(n, Conference)), None)


@dataclass
class Document:
    verbs: list
    warnings: list = field(default_factory=list)
    base_url: str | None = None  # the URL the document came from (relative URLs resolve here)
    # What it was made from, JSON-able, so a running document can be stored and rebuilt
    # (engine/twiml_state.py): ["xml", text], ["xml-b64", bytes] or ["text", text].
    source: list | None = None

    def __iter__(self) -> Iterator[Verb]:
        return iter(self.verbs)

    def __len__(self) -> int:
        return len(self.verbs)


# --- vocabulary ---------------------------------------------------------------------------

# Top-level verbs Twilio knows but the emulator does not run.
UNSUPPORTED_VERBS = frozenset(
    {"Connect", "Echo", "Enqueue", "Leave", "Pay", "Record", "Refer", "Sms", "Start", "Stop", "Message"}
)
# <Dial> nouns Twilio knows but the emulator does not dial.
UNSUPPORTED_NOUNS = frozenset({"Queue", "Sim", "Application", "WhatsApp"})
# Names that only live inside another element: legal XML, wrong place at the top.
NESTED_ONLY = frozenset(
    {"Conference", "Number", "Client", "Sip", "Stream", "Siprec", "Parameter", "Identity", "Room", "Prompt", "Transcription",
     "ConversationRelay", "VirtualAgent", "Config", "Language", "Task", "Autopilot", "Assistant"}
) | UNSUPPORTED_NOUNS
GATHER_CHILDREN = frozenset({"Say", "Play", "Pause"})
SSML_TAGS = frozenset({"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"})
