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
* Twilio verbs and nouns the emulator does not run (``<Record>``, ``<Leave>``,
  ``<Dial><Client>``...) become :class:`Unsupported` rather than vanishing, so the
  interpreter can answer them honestly.
* Relative URLs resolve against the document's URL (``urljoin``), as Twilio does.
"""

from .enqueue import Enqueue
from .model import (
    CONFERENCE_BEEP,
    CONFERENCE_END_ON_EXIT,
    CONFERENCE_MUTED,
    CONFERENCE_NAME,
    CONFERENCE_START_ON_ENTER,
    CONFERENCE_WAIT_METHOD,
    CONFERENCE_WAIT_URL,
    DEFAULT,
    GATHER_CHILDREN,
    INVALID_WAIT_VERB,
    MAX_PARTICIPANTS,
    NESTED_ONLY,
    PARSE_FAILURE,
    PARTICIPANT_LABEL_INVALID,
    PARTICIPANT_LABEL_MAX,
    SCHEMA_WARNING,
    SSML_TAGS,
    TWILIO_HOLD_MUSIC_URL,
    UNSUPPORTED_NOUNS,
    UNSUPPORTED_VERBS,
    WAIT_URL_VERBS,
    Conference,
    Dial,
    Document,
    Gather,
    Hangup,
    InvalidVerbError,
    Number,
    Pause,
    Play,
    Redirect,
    Reject,
    Say,
    TwimlParseError,
    TwimlWarning,
    Unsupported,
    Verb,
    Warning12200,
)
from .parser import check_allowed, document_from_audio, document_from_text, parse

__all__ = [
    "Enqueue",
    "PARSE_FAILURE",
    "SCHEMA_WARNING",
    "INVALID_WAIT_VERB",
    "CONFERENCE_MUTED",
    "CONFERENCE_END_ON_EXIT",
    "CONFERENCE_START_ON_ENTER",
    "CONFERENCE_WAIT_URL",
    "CONFERENCE_WAIT_METHOD",
    "CONFERENCE_BEEP",
    "CONFERENCE_NAME",
    "PARTICIPANT_LABEL_INVALID",
    "PARTICIPANT_LABEL_MAX",
    "MAX_PARTICIPANTS",
    "TWILIO_HOLD_MUSIC_URL",
    "WAIT_URL_VERBS",
    "TwimlParseError",
    "InvalidVerbError",
    "TwimlWarning",
    "Warning12200",
    "DEFAULT",
    "Verb",
    "Say",
    "Play",
    "Pause",
    "Gather",
    "Redirect",
    "Hangup",
    "Reject",
    "Conference",
    "Number",
    "Unsupported",
    "Dial",
    "Document",
    "UNSUPPORTED_VERBS",
    "UNSUPPORTED_NOUNS",
    "NESTED_ONLY",
    "GATHER_CHILDREN",
    "SSML_TAGS",
    "check_allowed",
    "document_from_audio",
    "document_from_text",
    "parse",
]
