"""TwiML parsing: :func:`parse` turns a body into a :class:`Document` (see the package docstring
for Twilio's rules)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from lxml import etree

from . import endpoints
from .attrs import Attrs as _Attrs
from .attrs import Context as _Context
from .enqueue import parse_enqueue
from .model import (
    CONFERENCE_BEEP,
    CONFERENCE_END_ON_EXIT,
    CONFERENCE_MUTED,
    CONFERENCE_NAME,
    CONFERENCE_START_ON_ENTER,
    CONFERENCE_WAIT_METHOD,
    DEFAULT,
    GATHER_CHILDREN,
    MAX_PARTICIPANTS,
    NESTED_ONLY,
    PARTICIPANT_LABEL_INVALID,
    PARTICIPANT_LABEL_MAX,
    SSML_TAGS,
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
    Unsupported,
)

if TYPE_CHECKING:  # annotations only
    from lxml.etree import _Element

    from .model import Verb, _DefaultWaitUrl

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


def parse(body: bytes | str, base_url: str | None = None) -> Document:
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


def check_allowed(doc: Document, allowed: Iterable[str] = WAIT_URL_VERBS) -> Document:
    """Raise :class:`InvalidVerbError` (13238) if ``doc`` uses a verb outside ``allowed``.

    For documents fetched from a waitUrl, holdUrl or announceUrl.  Returns ``doc``.
    """
    bad = [verb.tag for verb in doc.verbs if verb.tag not in allowed]
    if bad:
        raise InvalidVerbError(bad, allowed)
    return doc


def document_from_audio(url: str) -> Document:
    """A waitUrl/holdUrl (or any TwiML URL) answered with audio: play it once."""
    return Document([Play(url=url)], [], url)


def document_from_text(text: str, base_url: str | None = None) -> Document:
    """A ``text/plain`` answer that is not TwiML: Twilio reads it aloud."""
    return Document([Say(text=" ".join(text.split()))], [], base_url, ["text", text])


def _parse_xml(body: str | bytes) -> _Element:
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



def _elements(parent: _Element, ctx: _Context) -> Iterator[_Element]:
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


def _unknown(el: _Element, ctx: _Context, where: str) -> None:
    """Warn about an element that is not allowed here; the element is skipped."""
    tag = el.tag
    if tag in _KNOWN_NAMES:
        ctx.warn(f"<{tag}> is not allowed in {where}", el)
    elif tag.lower() in _BY_LOWER:
        ctx.warn(f"<{tag}> is not a TwiML verb: names are case-sensitive, did you mean <{_BY_LOWER[tag.lower()]}>?", el)
    else:
        ctx.warn(f"<{tag}> is not a TwiML verb", el)


def _top_level(el: _Element, ctx: _Context) -> Verb | None:
    parser = _VERBS.get(el.tag)
    if parser is not None:
        return parser(el, ctx)
    if el.tag in UNSUPPORTED_VERBS:
        return _unsupported(el)
    _unknown(el, ctx, "<Response>")
    return None


def _unsupported(el: _Element) -> Unsupported:
    return Unsupported(
        name=el.tag,
        text=(el.text or "").strip(),
        children=[c.tag for c in el if isinstance(c.tag, str)],
        attributes=dict(el.attrib),
        location=el.getroottree().getpath(el),
    )


def _no_children(el: _Element, ctx: _Context) -> None:
    for child in _elements(el, ctx):
        ctx.warn(f"<{child.tag}> is not allowed inside <{el.tag}>", child)


def _say(el: _Element, ctx: _Context) -> Say:
    a = _Attrs(el, ctx)
    for child in el.iter():
        if child is not el and isinstance(child.tag, str) and child.tag not in SSML_TAGS:
            ctx.warn(f"<{child.tag}> is not SSML allowed inside <Say>; its text is spoken", child)
    # Element boundaries count as spaces so "Hi<break/>there" is two words for timing.
    pieces = el.xpath(".//text()")
    return a.build(Say, text=" ".join(" ".join(pieces).split()),
                   voice=a.string("voice", "man"), language=a.string("language", "en-US"),
                   loop=a.integer("loop", 1, minimum=0))


def _play(el: _Element, ctx: _Context) -> Play:
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


def _pause(el: _Element, ctx: _Context) -> Pause:
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    ctx.stray_text(el, el.text, "<Pause>")
    return a.build(Pause, length=a.integer("length", 1, minimum=0))


def _redirect(el: _Element, ctx: _Context) -> Redirect:
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    text = (el.text or "").strip()
    # An empty <Redirect/> re-requests the current document (how a waitUrl loops).
    return a.build(Redirect, url=ctx.resolve(text) if text else ctx.base_url, method=a.method("method", "POST"))


def _hangup(el: _Element, ctx: _Context) -> Hangup:
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    return a.build(Hangup)


def _reject(el: _Element, ctx: _Context) -> Reject:
    a = _Attrs(el, ctx)
    _no_children(el, ctx)
    return a.build(Reject, reason=a.choice("reason", "rejected", ("rejected", "busy")))


def _gather(el: _Element, ctx: _Context) -> Gather:
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


def _dial(el: _Element, ctx: _Context) -> Dial:
    a = _Attrs(el, ctx, known=("events", "passports", "recordingConfigurationId"))
    record = a.string("record", "do-not-record")
    record = _DIAL_RECORD_LEGACY.get(record, record)
    if record not in _DIAL_RECORD:
        ctx.warn(f"record={record!r} is not one of {', '.join(_DIAL_RECORD)}", el, "record")
        record = "do-not-record"
    nouns: list[Verb] = []  # Conference | Number (Client, Sip) | Unsupported
    for child in _elements(el, ctx):
        if child.tag == "Conference":
            nouns.append(_conference(child, ctx))
        elif child.tag == "Number":
            nouns.append(_number(child, ctx))
        elif child.tag == "Client":
            nouns.append(endpoints.client(child, ctx))
        elif child.tag == "Sip":
            nouns.append(endpoints.sip(child, ctx))
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


def _conference(el: _Element, ctx: _Context) -> Conference:
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
    wait_url: str | _DefaultWaitUrl
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


def _number(el: _Element, ctx: _Context) -> Number:
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


_VERBS: dict[str, Callable[[_Element, _Context], Verb]] = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Gather": _gather,
    "Redirect": _redirect,
    "Hangup": _hangup,
    "Reject": _reject,
    "Dial": _dial,
    "Enqueue": parse_enqueue,
}


