"""What a TwiML leg keeps between verbs: its options, its generation, the running document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...store.models import Call

if TYPE_CHECKING:  # annotations only
    from .. import twiml
    from ..core import Engine


def docs(eng: Engine) -> dict[str, tuple[int, twiml.Document]]:
    """The documents legs are running, ``{call_sid: (generation, Document)}``: owned by the
    engine (``Engine.documents``) and emptied by reset. Scheduled continuations hold their
    document too; this is for the ones an event starts (a key press, a conference's end)."""
    return eng.documents


def set_opts(call: Call, **changes: Any) -> None:
    call.options = {**(call.options or {}), **changes}


def opt(call: Call, name: str, default: Any = None) -> Any:
    return (call.options or {}).get(name, default)


def new_gen(call: Call) -> int:
    gen = int(opt(call, "_gen", 0)) + 1
    set_opts(call, _gen=gen, _gather=None)
    return gen


def live(eng: Engine, sid: str, gen: int) -> Call | None:
    """The call if ``gen`` is still its current run and it can still hear TwiML."""
    call = eng.db.get(Call, sid)
    if call is None or call.status not in ("ringing", "in-progress"):
        return None
    if int(opt(call, "_gen", 0)) != gen:
        return None
    return call


def alert(eng: Engine, call: Call, code: int, message: str, level: str = "error", url: str | None = None) -> None:
    eng.alert(call.account_sid, code, message, level=level, call_sid=call.sid, url=url)


def say_ref(text: str, verb: twiml.Say | None = None, loop: int = 1) -> dict[str, Any]:
    ref = {"kind": "say", "text": text, "loop": loop}
    if verb is not None:
        ref.update({"voice": verb.voice, "language": verb.language})
    return ref
