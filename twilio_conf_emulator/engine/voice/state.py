"""What a TwiML leg keeps between verbs: its options, its generation, the running document."""

from ...store.models import Call


def docs(eng):
    """The documents legs are running, ``{call_sid: (generation, Document)}``: owned by the
    engine (``Engine.documents``) and emptied by reset. Scheduled continuations hold their
    document too; this is for the ones an event starts (a key press, a conference's end)."""
    return eng.documents


def set_opts(call, **changes):
    call.options = {**(call.options or {}), **changes}


def opt(call, name, default=None):
    return (call.options or {}).get(name, default)


def new_gen(call):
    gen = int(opt(call, "_gen", 0)) + 1
    set_opts(call, _gen=gen, _gather=None)
    return gen


def live(eng, sid, gen):
    """The call if ``gen`` is still its current run and it can still hear TwiML."""
    call = eng.db.get(Call, sid)
    if call is None or call.status not in ("ringing", "in-progress"):
        return None
    if int(opt(call, "_gen", 0)) != gen:
        return None
    return call


def alert(eng, call, code, message, level="error", url=None):
    eng.alert(call.account_sid, code, message, level=level, call_sid=call.sid, url=url)


def say_ref(text, verb=None, loop=1):
    ref = {"kind": "say", "text": text, "loop": loop}
    if verb is not None:
        ref.update({"voice": verb.voice, "language": verb.language})
    return ref
