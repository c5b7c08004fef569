"""The TwiML interpreter: what Twilio does with a ``twiml`` call leg (inbound callers, Calls API
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

from dataclasses import dataclass

from ..errors import TwilioError
from ..media import timeline as tl
from ..store.models import Call, IncomingPhoneNumber
from ..webhooks import content
from ..webhooks.transport import OutboundRequest
from . import audio_docs, callbacks, twiml, twiml_state
from . import calls as call_legs
from .actions import action, stored
from . import conference as conf_engine

PLAY_LOOP_MAX = 1000  # "loop=0 ... until the call is hung up or 1000 iterations" (Play docs)
COACH_TARGET_MISSING = 13240
LOOP_GUARD_CODE = 11215  # closest Twilio notification to "the app keeps redirecting"


@dataclass
class PlayRef(twiml.Verb):
    """Internal: a voice URL that answered with audio plays it, once (then the call ends)."""

    ref: dict = None

    @property
    def tag(self):
        return "Play"


# -- small helpers ------------------------------------------------------------------------------
def _set(call, **changes):
    call.options = {**(call.options or {}), **changes}


def _opt(call, name, default=None):
    return (call.options or {}).get(name, default)


def _new_gen(call):
    gen = int(_opt(call, "_gen", 0)) + 1
    _set(call, _gen=gen, _gather=None)
    return gen


def _live(eng, sid, gen):
    """The call if ``gen`` is still its current run and it can still hear TwiML."""
    call = eng.db.get(Call, sid)
    if call is None or call.status not in ("ringing", "in-progress"):
        return None
    if int(_opt(call, "_gen", 0)) != gen:
        return None
    return call


def _alert(eng, call, code, message, level="error", url=None):
    eng.alert(call.account_sid, code, message, level=level, call_sid=call.sid, url=url)


def _say_ref(text, verb=None, loop=1):
    ref = {"kind": "say", "text": text, "loop": loop}
    if verb is not None:
        ref.update({"voice": verb.voice, "language": verb.language})
    return ref


# -- entry points ----------------------------------------------------------------------------------
def start(eng, call):
    """A Calls API leg was answered: run its ``Twiml`` or fetch its ``Url``."""
    limit = _opt(call, "time_limit")
    if limit:
        sid = call.sid
        eng.after(float(limit), stored(eng, "call.hangup", sid=sid, by="api"),
                  f"TimeLimit {sid}")
    if _opt(call, "twiml"):
        run_text(eng, call, _opt(call, "twiml"))
    else:
        fetch(eng, call, _opt(call, "url"), _opt(call, "method") or "POST", "voice")


def run_text(eng, call, text, base_url=None):
    """Run a TwiML string (Calls API ``Twiml``): no URL, so relative URLs stay relative."""
    gen = _new_gen(call)
    try:
        doc = twiml.parse(text, base_url)
    except twiml.TwimlParseError as err:
        _alert(eng, call, err.code, err.message)
        _app_error(eng, call)
        return
    _begin(eng, call, doc, gen)


def fetch(eng, call, url, method, kind, extra=(), fallback=True):
    """Request the TwiML at ``url`` for ``call``; run what comes back.  ``kind`` files the
    request in the journal: voice, fallback, action, gather or redirect."""
    if not url:
        _alert(eng, call, twiml.SCHEMA_WARNING, f"{kind}: no URL to request (a relative URL in "
               "TwiML given inline cannot be resolved)", level="warning")
        _app_error(eng, call)
        return
    if not _guard_loop(eng, call):
        return
    gen = _new_gen(call)
    sid = call.sid
    params = callbacks.voice_params(call) + [(str(k), str(v)) for k, v in extra]

    # The answer is handled by a stored action: a request queued when serve dies is sent,
    # and its answer run, after the restart.
    got = stored(eng, "twiml.fetched", sid=sid, gen=gen, url=url, fallback=fallback)
    eng.emit_request(OutboundRequest(url=url, method=method or "POST", params=params, kind=kind),
                     call.account_sid, on_result=got, call_sid=sid)


@action("twiml.fetched")
def _fetched(eng, result, sid, gen, url, fallback):
    c = _live(eng, sid, gen)
    if c is None:
        return
    what = content.classify(result)
    try:
        if what == "error":
            code, message = content.content_error(result)
            if result.error_code is None:  # 12300: journaled by us, not by the transport
                eng.fault(code, message)
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
    _begin(eng, c, doc, gen)


def _b64(data):
    import base64

    return base64.b64encode(data).decode("ascii")


def _guard_loop(eng, call):
    """A document that redirects to itself without ever taking time would spin forever at
    one virtual instant: stop it after ``config.twiml_max_fetches_per_instant`` fetches."""
    now = eng.now()
    count = int(_opt(call, "_fetches", 0)) + 1 if _opt(call, "_fetches_at") == now else 1
    _set(call, _fetches=count, _fetches_at=now)
    if count > eng.config.twiml_max_fetches_per_instant:
        _alert(eng, call, LOOP_GUARD_CODE, f"TwiML fetched {count - 1} times at one instant "
               "without any verb taking time: the call is ended to stop the loop")
        _new_gen(call)
        _end(eng, call)
        return False
    return True


def _fetch_failed(eng, call, url, code, fallback):
    fb = _opt(call, "fallback_url")
    if fallback and fb:
        fetch(eng, call, fb, _opt(call, "fallback_method") or "POST", "fallback",
              extra=(("ErrorCode", code), ("ErrorUrl", url)), fallback=False)
        return
    _app_error(eng, call)


def _app_error(eng, call):
    """No usable TwiML: the caller hears the application-error message, then the call ends."""
    if call.status == "ringing":
        _answer(eng, call)
    gen = _new_gen(call)
    ref = _say_ref(eng.config.application_error_message)
    eng.media_event(tl.CALL_PLAY, call_sid=call.sid, audio=ref)
    sid = call.sid
    eng.after(tl.say_duration(ref["text"], eng.config),
              stored(eng, "twiml.end", sid=sid, gen=gen), f"application error {sid}")


@action("twiml.end")
def _end_if_live(eng, sid, gen):
    c = _live(eng, sid, gen)
    if c is not None:
        _end(eng, c)


def _answer(eng, call):
    """An inbound call is answered when its first document runs."""
    now = eng.now()
    call.answered_at = now
    call_legs.set_status(eng, call, "in-progress")
    eng.media_event(tl.CALL_ANSWERED, call_sid=call.sid, voice=_opt(call, "caller_voice"))
    call_legs.send_progress(eng, call, "answered")


def _end(eng, call):
    """The document ran out, or <Hangup>: the call completes."""
    _new_gen(call)
    twiml_state.drop(eng, call)
    call_legs.finish(eng, call, "completed")


def _begin(eng, call, doc, gen):
    for w in doc.warnings:
        _alert(eng, call, w.code, f"{w.message} (at {w.location})", level="warning",
               url=doc.base_url)
    if call.status == "ringing":
        first = doc.verbs[0] if doc.verbs else None
        if isinstance(first, twiml.Reject):
            twiml_state.drop(eng, call)
            _new_gen(call)
            # Not answered, not billed: busy, or no-answer for reason="rejected".
            call_legs.finish(eng, call, "busy" if first.reason == "busy" else "no-answer")
            return
        if isinstance(first, twiml.Pause) and first.length > 0:
            # "As the first verb, <Pause> delays answering the call": it rings meanwhile.
            twiml_state.install(eng, call, gen, doc)
            sid = call.sid
            eng.after(float(first.length), stored(eng, "twiml.answer-after-pause", sid=sid,
                                                  gen=gen), f"answer after <Pause> {sid}")
            return
        _answer(eng, call)
    twiml_state.install(eng, call, gen, doc)
    _step(eng, call.sid, gen, 0)


@action("twiml.answer-after-pause")
def _answer_after_pause(eng, sid, gen):
    c = _live(eng, sid, gen)
    if c is not None and c.status == "ringing":
        _answer(eng, c)
        _step(eng, sid, gen, 1)


# -- running a document ---------------------------------------------------------------------------
@action("twiml.step")
def _step(eng, sid, gen, i):
    """Run call ``sid``'s document from verb ``i`` (a stored action: it survives a restart)."""
    call = _live(eng, sid, gen)
    if call is None:
        return
    doc = twiml_state.current(eng, sid, gen)
    if doc is None:
        return
    while i < len(doc.verbs):
        verb = doc.verbs[i]
        nxt = i + 1
        cont = stored(eng, "twiml.step", sid=sid, gen=gen, i=nxt)

        if isinstance(verb, (twiml.Say, twiml.Play, twiml.Pause, PlayRef)):
            _media(eng, call, verb, cont)
            return
        if isinstance(verb, twiml.Gather):
            _gather_start(eng, call, verb, gen, i)
            return
        if isinstance(verb, twiml.Redirect):
            if verb.url:
                fetch(eng, call, verb.url, verb.method, "redirect")
                return
            _alert(eng, call, twiml.SCHEMA_WARNING, "<Redirect/> without a URL in TwiML that "
                   "has no URL of its own: skipped", level="warning")
        elif isinstance(verb, twiml.Hangup):
            _end(eng, call)
            return
        elif isinstance(verb, twiml.Reject):
            # Only meaningful as the first verb of an unanswered call (handled in _begin).
            _alert(eng, call, twiml.SCHEMA_WARNING, "<Reject> is only honoured as the first "
                   "verb of an incoming call; the answered call is hung up", level="warning")
            _end(eng, call)
            return
        elif isinstance(verb, twiml.Dial):
            if _dial(eng, call, verb, gen, i):
                return
        elif isinstance(verb, twiml.Unsupported):
            _alert(eng, call, twiml.SCHEMA_WARNING, f"<{verb.name}> is not run by "
                   "twilio-conf-emulator: skipped, the next verb runs", level="warning")
        i = nxt
    _end(eng, call)


def _media(eng, call, verb, cont, label="verb"):
    """Play one Say/Play/Pause to the caller, then ``cont()`` when its time is up."""
    sid = call.sid
    cfg = eng.config
    if isinstance(verb, twiml.Pause):
        eng.media_event(tl.CALL_STOP_PLAY, call_sid=sid)
        eng.after(float(verb.length), cont, f"Pause {sid}")
        return
    if isinstance(verb, twiml.Say):
        n = verb.loop or PLAY_LOOP_MAX
        ref = _say_ref(verb.text, verb, loop=n)
        eng.media_event(tl.CALL_PLAY, call_sid=sid, audio=ref)
        eng.after(tl.say_duration(verb.text, cfg) * n, cont, f"Say {sid}")
        return
    if isinstance(verb, PlayRef):
        _play_ref(eng, call, verb.ref, 1, cont)
        return
    n = verb.loop or PLAY_LOOP_MAX
    if verb.digits and not verb.url:
        _play_ref(eng, call, {"kind": "dtmf", "digits": verb.digits}, 1, cont)
        return
    if not verb.url:
        eng.soon(cont, f"Play {sid}")
        return
    gen = int(_opt(call, "_gen", 0))

    def got(ref, error):
        c = eng.db.get(Call, sid)
        if c is None or c.status != "in-progress" or int(_opt(c, "_gen", 0)) != gen:
            return
        if ref is None:
            eng.soon(cont, f"Play {sid}")
        else:
            _play_ref(eng, c, ref, n, cont, url=verb.url)

    audio_docs.fetch_audio(eng, call.account_sid, verb.url, got, call_sid=sid)


def _play_ref(eng, call, ref, n, cont, url=None):
    from ..media.audio import audio_duration

    sid = call.sid
    try:
        once = audio_duration({**ref, "loop": 1}, eng.config)
    except Exception as err:  # unreadable or undecodable audio: Twilio skips the verb
        _alert(eng, call, audio_docs.INVALID_CONTENT_FOR_PLAY, f"<Play>: cannot play {url or ref.get('kind')}:"
               f" {err}", url=url)
        eng.soon(cont, f"Play {sid}")
        return
    eng.media_event(tl.CALL_PLAY, call_sid=sid, audio={**ref, "loop": n})
    eng.after((once or 0.0) * n, cont, f"Play {sid}")


# -- <Gather> ---------------------------------------------------------------------------------------
def _gather_start(eng, call, verb, gen, i):
    if not verb.accepts_dtmf:
        _alert(eng, call, twiml.SCHEMA_WARNING, "<Gather input=\"speech\">: speech recognition "
               "is not emulated; the Gather times out with no input", level="warning")
    state = {"gen": gen, "i": i, "sub": 1, "digits": "", "listening": verb.accepts_dtmf,
             "prompting": bool(verb.children)}
    _set(call, _gather=state)
    if verb.children:
        _gather_prompt(eng, call.sid, gen, 1, verb, 0)
    else:
        _gather_wait(eng, call, verb, gen, 1)


def _gather_state(eng, sid, gen, sub):
    call = _live(eng, sid, gen)
    if call is None:
        return None, None
    g = _opt(call, "_gather")
    if not g or g["gen"] != gen or g["sub"] != sub:
        return None, None
    return call, g


def _current_gather(eng, sid, gen, i):
    doc = twiml_state.current(eng, sid, gen)
    return doc.verbs[i] if doc is not None else None


def _gather_prompt(eng, sid, gen, sub, verb, j):
    call, g = _gather_state(eng, sid, gen, sub)
    if call is None:
        return
    if j >= len(verb.children):
        _set(call, _gather={**g, "prompting": False})
        _gather_wait(eng, call, verb, gen, sub)
        return
    _media(eng, call, verb.children[j],
           stored(eng, "twiml.gather-prompt", sid=sid, gen=gen, sub=sub, j=j + 1))


@action("twiml.gather-prompt")
def _gather_prompt_next(eng, sid, gen, sub, j):
    call, g = _gather_state(eng, sid, gen, sub)
    verb = _current_gather(eng, sid, gen, g["i"]) if call is not None else None
    if verb is not None:
        _gather_prompt(eng, sid, gen, sub, verb, j)


def _gather_wait(eng, call, verb, gen, sub):
    sid = call.sid
    eng.after(float(verb.timeout), stored(eng, "twiml.gather-timeout", sid=sid, gen=gen,
                                          sub=sub), f"Gather timeout {sid}")


@action("twiml.gather-timeout")
def _gather_timeout(eng, sid, gen, sub):
    call, g = _gather_state(eng, sid, gen, sub)
    if call is None:
        return
    _gather_submit(eng, call, g, "")


def _gather_digits(eng, call, digits):
    g = _opt(call, "_gather")
    if not g or g["gen"] != int(_opt(call, "_gen", 0)) or not g["listening"]:
        return
    verb = _current_gather(eng, call.sid, g["gen"], g["i"])
    if verb is None:
        return
    for key in digits:
        if key not in "0123456789*#":
            continue
        g = dict(g)
        g["sub"] += 1  # stops the prompt chain and the running timer
        if g["prompting"]:
            g["prompting"] = False
            eng.media_event(tl.CALL_STOP_PLAY, call_sid=call.sid)
        if verb.finish_on_key and key == verb.finish_on_key:
            _set(call, _gather=g)
            _gather_submit(eng, call, g, key)
            return
        g["digits"] += key
        _set(call, _gather=g)
        if verb.num_digits and len(g["digits"]) >= verb.num_digits:
            _gather_submit(eng, call, g, "")
            return
    _gather_wait(eng, call, verb, g["gen"], g["sub"])


def _gather_submit(eng, call, g, finished_on_key):
    verb = _current_gather(eng, call.sid, g["gen"], g["i"])
    _set(call, _gather=None)
    if verb is None:
        return
    if not g["digits"] and not verb.action_on_empty_result:
        _step(eng, call.sid, g["gen"], g["i"] + 1)  # no input: the next verb
        return
    extra = [("Digits", g["digits"])]
    if finished_on_key:
        extra.append(("FinishedOnKey", finished_on_key))
    if not verb.action:
        _alert(eng, call, twiml.SCHEMA_WARNING, "<Gather> has no action and its TwiML has no "
               "URL (Twiml parameter): the input cannot be submitted", level="warning")
        _step(eng, call.sid, g["gen"], g["i"] + 1)
        return
    fetch(eng, call, verb.action, verb.method, "gather", extra)


# -- <Dial> --------------------------------------------------------------------------------------
def _dial(eng, call, dial, gen, i):
    """Start ``dial``; True if it is now running (it continues the document when it ends),
    False if it did nothing and the next verb runs."""
    if dial.record != "do-not-record":
        _alert(eng, call, twiml.SCHEMA_WARNING, f"<Dial record=\"{dial.record}\">: call "
               "recording is not emulated (use <Conference record>)", level="warning")
    noun = dial.noun
    if isinstance(noun, twiml.Conference):
        return _dial_conference(eng, call, dial, noun, gen, i)
    if isinstance(noun, twiml.Number):
        others = [n for n in dial.nouns[1:]]
        if others:
            _alert(eng, call, twiml.SCHEMA_WARNING, "<Dial> with several nouns: only the first "
                   "<Number> is dialled by the emulator", level="warning")
        return _dial_number(eng, call, dial, noun, gen, i)
    what = f"<{noun.tag}>" if noun is not None else "nothing"
    _alert(eng, call, twiml.SCHEMA_WARNING, f"<Dial> {what}: not dialled by "
           "twilio-conf-emulator; the next verb runs", level="warning")
    return False


def _dial_state(dial, kind, gen, i, **more):
    return {"kind": kind, "gen": gen, "i": i, "action": dial.action, "method": dial.method,
            "hangup_on_star": dial.hangup_on_star, "time_limit": dial.time_limit, **more}


def _dial_failed(eng, call, dial, gen, i, dial_status):
    """The <Dial> could not start: its action gets ``dial_status``, else the next verb runs."""
    if dial.action:
        fetch(eng, call, dial.action, dial.method, "action",
              (("DialCallStatus", dial_status), ("DialBridged", "false")))
        return True
    return False


def _dial_conference(eng, call, dial, noun, gen, i):
    settings = {
        "status_callback": noun.status_callback,
        "status_callback_method": noun.status_callback_method,
        "status_callback_events": list(noun.status_callback_event),
        "record": noun.record,
        "trim": noun.trim,
        "recording_status_callback": noun.recording_status_callback,
        "recording_status_callback_method": noun.recording_status_callback_method,
        "recording_status_callback_events": list(noun.recording_status_callback_event),
        "max_participants": noun.max_participants,
        "region": noun.region,
        "event_callback_url": noun.event_callback_url,
    }
    account = call.account_sid
    conf = conf_engine.active_by_name(eng, account, noun.name) if noun.name else None
    try:
        if conf is not None:
            conf_engine.check_label(conf, noun.participant_label, invalid_code=16023,
                                    in_use_code=16025)
        elif noun.participant_label is not None:
            conf_engine.check_label(_NoOne, noun.participant_label, 16023, 16025)
    except TwilioError as err:
        # "The call will not be added into the conference and instead continue to the next
        # TwiML verb" (16025), whatever the Dial action.
        _alert(eng, call, err.code, err.message)
        return False
    if noun.coach:
        try:
            if conf is None:
                raise TwilioError(f"Participant {noun.coach} to be coached is not present in "
                                  "the conference")
            conf_engine.check_coach_target(conf, noun.coach)
        except TwilioError as err:
            _alert(eng, call, COACH_TARGET_MISSING, f"coach: {err.message}")
            return _dial_failed(eng, call, dial, gen, i, "failed")
    if conf is not None:
        try:
            conf_engine.check_capacity(conf)
        except TwilioError as err:
            _alert(eng, call, err.code, err.message)
            return _dial_failed(eng, call, dial, gen, i, eng.config.dial_call_status_when_full)
    try:
        conf = conf_engine.conference_for(eng, account, noun.name, settings, path="")
    except TwilioError as err:
        _alert(eng, call, twiml.CONFERENCE_NAME, f"<Conference>: {err.message}")
        return False
    wait_url = noun.wait_url
    if wait_url is twiml.DEFAULT:
        wait_url = None
    p = {
        "label": noun.participant_label,
        "muted": noun.muted,
        "start_conference_on_enter": noun.start_conference_on_enter,
        "end_conference_on_exit": noun.end_conference_on_exit,
        "beep": noun.beep,
        "wait_url": wait_url,
        "wait_method": noun.wait_method,
        "jitter_buffer_size": noun.jitter_buffer_size,
        "time_limit": dial.time_limit,
        "hangup_on_star": dial.hangup_on_star,
        "call_sid_to_coach": noun.coach,
    }
    _set(call, _dial=_dial_state(dial, "conference", gen, i, conference_sid=conf.sid))
    part = conf_engine.add_participant(eng, conf, call, p, origin="twiml")
    conf_engine.connect(eng, part)
    return True


class _NoOne:
    participants = ()


def after_conference(eng, call, why):
    """The caller left its conference (ended, kicked, ``*``, timeLimit): the <Dial> ends."""
    d = _opt(call, "_dial")
    if not d or d.get("kind") != "conference":
        return
    _set(call, _dial=None)
    if call.status != "in-progress" or int(_opt(call, "_gen", 0)) != d["gen"]:
        return
    _dial_done(eng, call, d, eng.config.dial_call_status_after_conference,
               (("DialBridged", "true"),))


def _dial_done(eng, call, d, dial_status, extra):
    if d.get("action"):
        fetch(eng, call, d["action"], d.get("method") or "POST", "action",
              (("DialCallStatus", dial_status),) + tuple(extra))
    else:
        _step(eng, call.sid, d["gen"], d["i"] + 1)


def _dial_action_after_hangup(eng, call, d):
    """The caller hung up during a <Dial action>: Twilio still requests the action, with
    CallStatus=completed, and runs nothing it answers (the call is over)."""
    if not d or not d.get("action"):
        return
    if d.get("kind") == "conference":
        extra = [("DialCallStatus", eng.config.dial_call_status_after_conference),
                 ("DialBridged", "true")]
    else:
        child = eng.db.get(Call, d["child"]) if d.get("child") else None
        answered = child is not None and child.answered_at is not None
        extra = [("DialCallStatus", "completed" if answered else "canceled"),
                 ("DialBridged", "true" if answered else "false")]
        if child is not None:
            extra.append(("DialCallSid", child.sid))
            if answered:
                extra.append(("DialCallDuration", str(callbacks.call_duration(child, eng.now()))))
    params = callbacks.voice_params(call, "completed") + extra
    eng.emit_request(OutboundRequest(url=d["action"], method=d.get("method") or "POST",
                                     params=params, kind="action"),
                     call.account_sid, call_sid=call.sid)


def _dial_number(eng, call, dial, noun, gen, i):
    if noun.url:
        _alert(eng, call, twiml.SCHEMA_WARNING, "<Number url>: TwiML for the called party "
               "before bridging is not run by the emulator", level="warning")
    child = call_legs.new_call(
        eng, call.account_sid, to=noun.number, from_=dial.caller_id or call.from_,
        direction="outbound-dial", purpose="dial-child", parent_call_sid=call.sid,
        timeout=dial.timeout, status_callback=noun.status_callback,
        status_callback_method=noun.status_callback_method,
        status_callback_events=list(noun.status_callback_event),
    )
    _set(call, _dial=_dial_state(dial, "number", gen, i, child=child.sid))
    call_legs.dial(eng, child)
    return True


def bridge_room(parent_sid):
    """The two-party room a <Dial><Number> bridge is mixed in (a media timeline id only)."""
    return "BR" + parent_sid[2:]


def _bridge_audio(eng, parent, child):
    """Both legs hear each other from now on: the mixer treats a bridge as a started
    two-party room, so mix-minus, recordings of either call and call audio just work."""
    room = bridge_room(parent.sid)
    for leg in (parent, child):
        eng.media_event(tl.CONF_ENTER, call_sid=leg.sid, conference_sid=room, muted=False,
                        jitter="off", wait_audio=None)
    eng.media_event(tl.CONF_START, conference_sid=room)


def _end_bridge_audio(eng, parent_sid, d):
    if d and d.get("bridged"):
        eng.media_event(tl.CONF_END, conference_sid=bridge_room(parent_sid))


def _number_done(eng, child, status):
    parent = eng.db.get(Call, child.parent_call_sid) if child.parent_call_sid else None
    if parent is None:
        return
    d = _opt(parent, "_dial")
    if not d or d.get("kind") != "number" or d.get("child") != child.sid:
        return
    _end_bridge_audio(eng, parent.sid, d)
    _set(parent, _dial=None)
    if parent.status != "in-progress" or int(_opt(parent, "_gen", 0)) != d["gen"]:
        return
    extra = [("DialCallSid", child.sid), ("DialBridged", "true" if child.answered_at else "false")]
    if status == "completed":
        extra.append(("DialCallDuration", str(callbacks.call_duration(child, eng.now()))))
    _dial_done(eng, parent, d, status, extra)


def _hang_up_child(eng, call):
    """The parent stops dialling (hung up, redirected): the dialled leg goes too, quietly."""
    d = _opt(call, "_dial")
    if d and d.get("kind") == "number":
        _end_bridge_audio(eng, call.sid, d)
        _set(call, _dial=None)
        call_legs.hangup(eng, d["child"], by="api")


class DialChild:
    """The leg a <Dial><Number> places."""

    @staticmethod
    def on_progress(eng, call, event):
        pass

    @staticmethod
    def on_answer(eng, child):
        parent = eng.db.get(Call, child.parent_call_sid)
        d = _opt(parent, "_dial") if parent is not None else None
        if not d or d.get("child") != child.sid or parent.status != "in-progress":
            call_legs.hangup(eng, child.sid, by="api")
            return
        eng.media_event(tl.CALL_STOP_PLAY, call_sid=parent.sid)
        _bridge_audio(eng, parent, child)
        _set(parent, _dial={**d, "bridged": True})
        sid, psid = child.sid, parent.sid
        eng.after(float(d.get("time_limit") or 14400),
                  stored(eng, "dial.time-limit", parent_sid=psid, child_sid=sid),
                  f"Dial timeLimit {psid}")

    @staticmethod
    def on_failed(eng, child):
        _number_done(eng, child, child.status if child.status != "completed" else "no-answer")

    @staticmethod
    def on_hangup(eng, child, by):
        _number_done(eng, child, "completed")

    @staticmethod
    def on_digits(eng, child, digits):
        pass


@action("dial.time-limit")
def _number_time_limit(eng, parent_sid, child_sid):
    parent = eng.db.get(Call, parent_sid)
    d = _opt(parent, "_dial") if parent is not None else None
    if d and d.get("child") == child_sid:
        call_legs.hangup(eng, child_sid, by="api")


# -- the twiml purpose -------------------------------------------------------------------------------
class TwimlLeg:
    @staticmethod
    def on_progress(eng, call, event):
        pass

    @staticmethod
    def on_answer(eng, call):
        start(eng, call)

    @staticmethod
    def on_failed(eng, call):
        _new_gen(call)
        twiml_state.drop(eng, call)
        part = conf_engine.participant_for_call(eng, call.sid)
        if part is not None:
            conf_engine.leave(eng, part, "participant_hung_up", call_status=call.status)
        _hang_up_child(eng, call)

    @staticmethod
    def on_hangup(eng, call, by):
        _new_gen(call)
        twiml_state.drop(eng, call)
        dial = _opt(call, "_dial")
        part = conf_engine.participant_for_call(eng, call.sid)
        if part is not None:
            _set(call, _dial=None)
            conf_engine.leave(eng, part, "participant_hung_up" if by == "caller"
                              else "participant_updated_via_api")
        _hang_up_child(eng, call)
        if by == "caller":
            _dial_action_after_hangup(eng, call, dial)

    @staticmethod
    def on_digits(eng, call, digits):
        part = conf_engine.participant_for_call(eng, call.sid)
        if part is not None:
            conf_engine.ParticipantLeg.on_digits(eng, call, digits)
            return
        d = _opt(call, "_dial")
        if d and d.get("kind") == "number":
            if "*" in digits and d.get("hangup_on_star"):
                call_legs.hangup(eng, d["child"], by="api")
            return
        _gather_digits(eng, call, digits)


call_legs.PURPOSES["twiml"] = TwimlLeg
call_legs.PURPOSES["dial-child"] = DialChild


# -- the Calls API: redirect a live call ------------------------------------------------------------
def redirect(eng, call, url=None, method="POST", twiml=None):
    """``POST /Calls/{Sid}`` with ``Url``/``Twiml``: the current TwiML stops (a participant
    leaves its conference with ``participant_updated_via_api``) and the new one runs."""
    part = conf_engine.participant_for_call(eng, call.sid)
    _set(call, url=url, method=method or "POST", twiml=twiml, purpose="twiml", _dial=None)
    if part is not None:
        conf_engine.leave(eng, part, "participant_updated_via_api")
    _hang_up_child(eng, call)
    eng.media_event(tl.CALL_STOP_PLAY, call_sid=call.sid)
    _new_gen(call)
    if twiml:
        run_text(eng, call, twiml)
    else:
        fetch(eng, call, url, method or "POST", "redirect")


# -- inbound virtual callers -----------------------------------------------------------------------
def find_number(eng, to):
    return (eng.db.query(IncomingPhoneNumber)
            .filter(IncomingPhoneNumber.phone_number == to)
            .order_by(IncomingPhoneNumber.date_created).first())


def inbound_call(eng, default_account_sid, from_, to, audio=None, digits=None,
                 hangup_after=None):
    """A virtual caller dials ``to``: routed by that IncomingPhoneNumber's VoiceUrl.

    The caller's script (``digits`` at seconds, ``hangup_after``) counts from the moment it
    dials.  Returns the Call row (status ringing until its first document runs)."""
    number = find_number(eng, to)
    fields = dict(number.fields or {}) if number is not None else {}
    account = number.account_sid if number is not None else default_account_sid
    voice = call_legs.voice_ref({"audio": audio}) if audio else None
    call = call_legs.new_call(
        eng, account, to=to, from_=from_, direction="inbound", purpose="twiml",
        url=fields.get("voice_url"), method=fields.get("voice_method") or "POST",
        fallback_url=fields.get("voice_fallback_url") or None,
        fallback_method=fields.get("voice_fallback_method") or "POST",
        status_callback=fields.get("status_callback") or None,
        status_callback_method=fields.get("status_callback_method") or "POST",
        caller_voice=voice,
    )
    call.start_time = eng.now()
    if number is not None:
        call.phone_number_sid = number.sid
    sid = call.sid
    if number is None:
        call_legs.set_status(eng, call, "failed")
        eng.alert(account, 21211, f"Inbound call to {to}: no IncomingPhoneNumber has this "
                  "number, so the call cannot be routed", call_sid=sid)
        return call
    call_legs.set_status(eng, call, "ringing")
    for step in digits or []:
        eng.after(float(step.get("at", 0)), stored(eng, "call.digits", sid=sid,
                                                   digits=str(step.get("digits", ""))),
                  f"caller digits {sid}")
    if hangup_after is not None:
        eng.after(float(hangup_after), stored(eng, "call.hangup", sid=sid, by="caller"),
                  f"caller hangup {sid}")
    eng.soon(stored(eng, "twiml.ring", sid=sid), f"incoming {sid}")
    return call


@action("twiml.ring")
def _ring(eng, sid):
    c = eng.db.get(Call, sid)
    if c is None or c.status != "ringing":
        return
    if not _opt(c, "url"):
        _alert(eng, c, 11100, f"{c.to} has no VoiceUrl: nothing to run for the call")
        _app_error(eng, c)
        return
    fetch(eng, c, _opt(c, "url"), _opt(c, "method"), "voice")
