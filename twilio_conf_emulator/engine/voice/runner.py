"""The TwiML interpreter loop: what Twilio does with a ``twiml`` call leg (inbound callers, Calls API
legs, calls redirected through the API).

A leg runs one document at a time. Verbs run top to bottom on the virtual clock: ``<Say>``,
``<Play>`` and ``<Pause>`` take their audio's duration, ``<Gather>`` waits for keys, ``<Dial>``
waits for its conference or its dialled number; ``<Redirect>``, a ``<Gather>`` or ``<Dial>``
action and an API redirect fetch a new document, which replaces the current one.

Every run of a document has a *generation* (``call.options["_gen"]``): fetching or starting a
new document, hanging up or an API redirect moves it on, so anything the old document had
scheduled (the end of a prompt, a Gather timeout) finds itself stale and does nothing.

Requests go out through ``eng.emit_request`` (signed, journaled) with the parameters Twilio
sends (:func:`callbacks.voice_params` plus ``Digits``, ``DialCallStatus``... where Twilio adds
them). App faults (a URL that is down, slow, answers 4xx/5xx, or returns a document that does
not parse) are journaled with their code, the leg's ``FallbackUrl`` is tried when it has one,
otherwise the caller hears the application-error message and the call ends (completed).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ...media import timeline as tl
from ...store.models import Call
from ...webhooks import content
from ...webhooks.transport import OutboundRequest
from .. import audio_docs, callbacks, hosted_media, twiml
from .. import calls as call_legs
from ..actions import Stored, stored
from .state import PlayRef, alert, current, drop, install, live, new_gen, opt, say_ref, set_opts

if TYPE_CHECKING:  # annotations only
    from ..core import Engine

PLAY_LOOP_MAX = 1000  # "loop=0 ... until the call is hung up or 1000 iterations" (Play docs)
LOOP_GUARD_CODE = 11215  # closest Twilio notification to "the app keeps redirecting"


# -- entry points ----------------------------------------------------------------------------------
def start(eng: Engine, call: Call) -> None:
    """A Calls API leg was answered: run its ``Twiml`` or fetch its ``Url``."""
    digits = opt(call, "send_digits")
    if digits:
        # SendDigits: DTMF to the called party once connected, then the TwiML runs.
        set_opts(call, send_digits=None)
        gen, sid = int(opt(call, "_gen", 0)), call.sid
        then = stored(eng, "twiml.start", sid=sid, gen=gen)
        play_ref(eng, call, {"kind": "dtmf", "digits": digits}, 1, then)
        return
    limit = opt(call, "time_limit")
    if limit:
        sid = call.sid
        eng.after(float(limit), stored(eng, "call.hangup", sid=sid, by="api"),
                  f"TimeLimit {sid}")
    if opt(call, "twiml"):
        run_text(eng, call, opt(call, "twiml"))
    else:
        fetch(eng, call, opt(call, "url"), opt(call, "method") or "POST", "voice")


def _start_live(eng: Engine, sid: str, gen: int) -> None:
    """Stored action: SendDigits were played; the leg's TwiML runs (if it is still live)."""
    c = live(eng, sid, gen)
    if c is not None:
        start(eng, c)


def run_text(eng: Engine, call: Call, text: str, base_url: str | None = None) -> None:
    """Run a TwiML string (Calls API ``Twiml``): no URL, so relative URLs stay relative."""
    gen = new_gen(call)
    try:
        doc = twiml.parse(text, base_url)
    except twiml.TwimlParseError as err:
        alert(eng, call, err.code, err.message)
        app_error(eng, call)
        return
    begin(eng, call, doc, gen)


def fetch(eng: Engine, call: Call, url: str | None, method: str, kind: str, extra: Iterable[tuple[str, Any]] = (),
          fallback: bool = True) -> None:
    """Request the TwiML at ``url`` for ``call``; run what comes back.  ``kind`` files the
    request in the journal: voice, fallback, action, gather or redirect."""
    if not url:
        alert(eng, call, twiml.SCHEMA_WARNING, f"{kind}: no URL to request (a relative URL in "
               "TwiML given inline cannot be resolved)", level="warning")
        app_error(eng, call)
        return
    if not _guard_loop(eng, call):
        return
    gen = new_gen(call)
    sid = call.sid
    params = callbacks.voice_params(call) + [(str(k), str(v)) for k, v in extra]
    hosted = hosted_media.hosted_twiml(eng.config, url)
    if hosted is not None:  # Twilio's own demo document: answered here, never fetched
        eng.soon(stored(eng, "twiml.hosted", sid=sid, gen=gen, url=url), f"hosted TwiML {sid}")
        return

    # The answer is handled by a stored action: a request queued when serve dies is sent,
    # and its answer run, after the restart.
    got = stored(eng, "twiml.fetched", sid=sid, gen=gen, url=url, fallback=fallback)
    eng.emit_request(OutboundRequest(url=url, method=method or "POST", params=params, kind=kind),
                     call.account_sid, on_result=got, call_sid=sid)


def _run_hosted(eng: Engine, sid: str, gen: int, url: str) -> None:
    c = live(eng, sid, gen)
    hosted = hosted_media.hosted_twiml(eng.config, url)
    if c is not None and hosted is not None:
        begin(eng, c, twiml.parse(hosted, url), gen)


def _fetched(eng: Engine, result: Any, sid: str, gen: int, url: str, fallback: bool) -> None:
    c = live(eng, sid, gen)
    if c is None:
        return
    what = content.classify(result)
    try:
        if what == "error":
            code, message = content.content_error(result)
            if result.error_code is None:  # 12300: journaled by us, not by the transport
                eng.fault(code, message or "")
            _fetch_failed(eng, c, url, code, fallback)
            return
        if what == "audio":
            ref = {"kind": "bytes", "data_b64": _b64(result.body)}
            doc = twiml.Document([PlayRef(ref=ref)], [], result.final_url)
        elif what == "text":
            doc = twiml.document_from_text(content.decode_text(result), result.final_url)
        else:
            doc = twiml.parse(result.body, result.final_url)
    except twiml.TwimlParseError as err:
        eng.fault(err.code, err.message)
        _fetch_failed(eng, c, url, err.code, fallback)
        return
    begin(eng, c, doc, gen)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _guard_loop(eng: Engine, call: Call) -> bool:
    """A document that redirects to itself without ever taking time would spin forever at
    one virtual instant: stop it after ``config.twiml_max_fetches_per_instant`` fetches."""
    now = eng.now()
    count = int(opt(call, "_fetches", 0)) + 1 if opt(call, "_fetches_at") == now else 1
    set_opts(call, _fetches=count, _fetches_at=now)
    if count > eng.config.twiml_max_fetches_per_instant:
        alert(eng, call, LOOP_GUARD_CODE, f"TwiML fetched {count - 1} times at one instant "
               "without any verb taking time: the call is ended to stop the loop")
        new_gen(call)
        end(eng, call)
        return False
    return True


def _fetch_failed(eng: Engine, call: Call, url: str, code: int, fallback: bool) -> None:
    fb = opt(call, "fallback_url")
    if fallback and fb:
        fetch(eng, call, fb, opt(call, "fallback_method") or "POST", "fallback",
              extra=(("ErrorCode", code), ("ErrorUrl", url)), fallback=False)
        return
    app_error(eng, call)


def app_error(eng: Engine, call: Call) -> None:
    """No usable TwiML: the caller hears the application-error message, then the call ends."""
    if call.status == "ringing":
        answer(eng, call)
    gen = new_gen(call)
    ref = say_ref(eng.config.application_error_message)
    eng.media_event(tl.CALL_PLAY, call_sid=call.sid, audio=ref)
    sid = call.sid
    eng.after(tl.say_duration(ref["text"], eng.config),
              stored(eng, "twiml.end", sid=sid, gen=gen), f"application error {sid}")


def _end_if_live(eng: Engine, sid: str, gen: int) -> None:
    c = live(eng, sid, gen)
    if c is not None:
        end(eng, c)


def answer(eng: Engine, call: Call) -> None:
    """An inbound call is answered when its first document runs."""
    now = eng.now()
    call.answered_at = now
    call_legs.set_status(eng, call, "in-progress")
    eng.media_event(tl.CALL_ANSWERED, call_sid=call.sid, voice=opt(call, "caller_voice"))
    call_legs.send_progress(eng, call, "answered")


def end(eng: Engine, call: Call) -> None:
    """The document ran out, or <Hangup>: the call completes."""
    new_gen(call)
    drop(eng, call)
    if opt(call, "_whisper"):
        # <Hangup> in a <Number url> whisper: the dialled leg hangs up, and its <Dial> hears
        # of it (voice/number_url).
        call_legs.hangup(eng, call.sid, by="api")
        return
    call_legs.finish(eng, call, "completed")


def begin(eng: Engine, call: Call, doc: twiml.Document, gen: int) -> None:
    for w in doc.warnings:
        alert(eng, call, w.code, f"{w.message} (at {w.location})", level="warning",
               url=doc.base_url)
    if call.status == "ringing":
        first = doc.verbs[0] if doc.verbs else None
        if isinstance(first, twiml.Reject):
            drop(eng, call)
            new_gen(call)
            # Not answered, not billed: busy, or no-answer for reason="rejected".
            call_legs.finish(eng, call, "busy" if first.reason == "busy" else "no-answer")
            return
        if isinstance(first, twiml.Pause) and first.length > 0:
            # "As the first verb, <Pause> delays answering the call": it rings meanwhile.
            install(eng, call, gen, doc)
            sid = call.sid
            eng.after(float(first.length), stored(eng, "twiml.answer-after-pause", sid=sid,
                                                  gen=gen), f"answer after <Pause> {sid}")
            return
        answer(eng, call)
    install(eng, call, gen, doc)
    step(eng, call.sid, gen, 0)


def _answer_after_pause(eng: Engine, sid: str, gen: int) -> None:
    c = live(eng, sid, gen)
    if c is not None and c.status == "ringing":
        answer(eng, c)
        step(eng, sid, gen, 1)


# -- running a document ---------------------------------------------------------------------------
def step(eng: Engine, sid: str, gen: int, i: int) -> None:
    """Run call ``sid``'s document from verb ``i`` (a stored action: it survives a restart)."""
    call = live(eng, sid, gen)
    if call is None:
        return
    doc = current(eng, sid, gen)
    if doc is None:
        return
    while i < len(doc.verbs):
        verb = doc.verbs[i]
        nxt = i + 1
        cont = stored(eng, "twiml.step", sid=sid, gen=gen, i=nxt)

        if isinstance(verb, (twiml.Say, twiml.Play, twiml.Pause, PlayRef)):
            media(eng, call, verb, cont)
            return
        family = eng.purpose("twiml").verbs.get(type(verb))
        if family is not None:
            # A verb family's module (Gather, Dial...): True if it took over the leg (it goes
            # on with ``step`` when it is done), False if it did nothing and the next verb runs.
            if family(eng, call, verb, gen, i):
                return
        elif isinstance(verb, twiml.Redirect):
            if verb.url:
                fetch(eng, call, verb.url, verb.method, "redirect")
                return
            alert(eng, call, twiml.SCHEMA_WARNING, "<Redirect/> without a URL in TwiML that "
                   "has no URL of its own: skipped", level="warning")
        elif isinstance(verb, twiml.Hangup):
            end(eng, call)
            return
        elif isinstance(verb, twiml.Reject):
            # Only meaningful as the first verb of an unanswered call (handled in begin).
            alert(eng, call, twiml.SCHEMA_WARNING, "<Reject> is only honoured as the first "
                   "verb of an incoming call; the answered call is hung up", level="warning")
            end(eng, call)
            return
        elif isinstance(verb, twiml.Unsupported):
            alert(eng, call, twiml.SCHEMA_WARNING, f"<{verb.name}> is not run by "
                   "twilio-conf-emulator: skipped, the next verb runs", level="warning")
        i = nxt
    if not eng.purpose_of(call).on_document_end(eng, call):
        end(eng, call)


def media(eng: Engine, call: Call, verb: twiml.Say | twiml.Play | twiml.Pause | PlayRef,
          cont: Callable[[], object], label: str = "verb") -> None:
    """Play one Say/Play/Pause to the caller, then ``cont()`` when its time is up."""
    sid = call.sid
    cfg = eng.config
    if isinstance(verb, twiml.Pause):
        eng.media_event(tl.CALL_STOP_PLAY, call_sid=sid)
        eng.after(float(verb.length), cont, f"Pause {sid}")
        return
    if isinstance(verb, twiml.Say):
        n = verb.loop or PLAY_LOOP_MAX
        ref = say_ref(verb.text, verb, loop=n)
        eng.media_event(tl.CALL_PLAY, call_sid=sid, audio=ref)
        eng.after(tl.say_duration(verb.text, cfg) * n, cont, f"Say {sid}")
        return
    if isinstance(verb, PlayRef):
        play_ref(eng, call, verb.ref, 1, cont)
        return
    n = verb.loop or PLAY_LOOP_MAX
    if verb.digits and not verb.url:
        play_ref(eng, call, {"kind": "dtmf", "digits": verb.digits}, 1, cont)
        return
    if not verb.url:
        eng.soon(cont, f"Play {sid}")
        return
    gen = int(opt(call, "_gen", 0))
    got = stored(eng, "twiml.play-fetched", sid=sid, gen=gen, n=n, url=verb.url,
                 cont={"kind": cont.kind, "args": cont.args})  # type: ignore[attr-defined]
    audio_docs.fetch_audio(eng, call.account_sid, verb.url, got, call_sid=sid)


def _play_fetched(eng: Engine, ref: Any, error: Any, sid: str, gen: int, n: int, url: str,
                  cont: dict[str, Any]) -> None:
    """A ``<Play>`` URL's audio arrived (or failed): play it, then go on with ``cont``."""
    c = eng.db.get(Call, sid)
    if c is None or c.status != "in-progress" or int(opt(c, "_gen", 0)) != gen:
        return
    then = Stored(eng, cont["kind"], cont["args"])
    if ref is None:
        eng.soon(then, f"Play {sid}")
    else:
        play_ref(eng, c, ref, n, then, url=url)


def play_ref(eng: Engine, call: Call, ref: Any, n: int, cont: Callable[[], object],
             url: str | None = None) -> None:
    sid = call.sid
    try:
        from ...media.audio import audio_duration  # numpy: loaded with the first sound

        once = audio_duration({**ref, "loop": 1}, eng.config)
    except Exception as err:  # unreadable or undecodable audio: Twilio skips the verb
        alert(eng, call, audio_docs.INVALID_CONTENT_FOR_PLAY, f"<Play>: cannot play {url or ref.get('kind')}:"
               f" {err}", url=url)
        eng.soon(cont, f"Play {sid}")
        return
    eng.media_event(tl.CALL_PLAY, call_sid=sid, audio={**ref, "loop": n})
    eng.after((once or 0.0) * n, cont, f"Play {sid}")
