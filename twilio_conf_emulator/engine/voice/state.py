"""What a TwiML leg keeps between verbs: its options, its generation, the running document.

The running document is cached parsed in ``Engine.documents`` and stored on the call as it
came (``options["_doc"] = {"gen", "source", "base_url"}``, see ``twiml.Document.source``), so a
restarted engine parses it again on first use. The position is not stored here: the next step
is a stored action (``twiml.step``: call SID, generation, verb index), like every timer.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ...store.models import Call
from .. import twiml


@dataclass
class PlayRef(twiml.Verb):
    """Internal: a voice URL that answered with audio plays it, once (then the call ends)."""

    tag: ClassVar[str] = "Play"
    ref: dict[str, Any] | None = None


if TYPE_CHECKING:  # annotations only
    from .. import twiml
    from ..core import Engine


def docs(eng: Engine) -> dict[str, tuple[int, twiml.Document]]:
    """The documents legs are running, ``{call_sid: (generation, Document)}``: owned by the
    engine (``Engine.documents``) and emptied by reset."""
    return eng.documents


def install(eng: Engine, call: Call, gen: int, doc: twiml.Document) -> None:
    """``doc`` is now what ``call`` runs (generation ``gen``), in memory and in the store."""
    docs(eng)[call.sid] = (gen, doc)
    source = doc.source
    if source is None and len(doc.verbs) == 1 and isinstance(doc.verbs[0], PlayRef):
        source = ["play-ref", doc.verbs[0].ref]  # an audio answer played as one <Play>
    set_opts(call, _doc={"gen": gen, "source": source, "base_url": doc.base_url})


def drop(eng: Engine, call: Call) -> None:
    docs(eng).pop(call.sid, None)
    if opt(call, "_doc") is not None:
        set_opts(call, _doc=None)


def current(eng: Engine, sid: str, gen: int) -> twiml.Document | None:
    """The document call ``sid`` runs in generation ``gen`` (parsed again from the store after
    a restart), or None."""
    entry = docs(eng).get(sid)
    if entry is not None:
        return entry[1] if entry[0] == gen else None
    call = eng.db.get(Call, sid)
    stored = opt(call, "_doc") if call is not None else None
    if not stored or stored.get("gen") != gen or not stored.get("source"):
        return None
    kind, value = stored["source"]
    base_url = stored.get("base_url")
    if kind == "xml":
        doc = twiml.parse(value, base_url)
    elif kind == "xml-b64":
        doc = twiml.parse(base64.b64decode(value), base_url)
    elif kind == "text":
        doc = twiml.document_from_text(value, base_url)
    else:
        doc = twiml.Document([PlayRef(ref=value)], [], base_url)
    docs(eng)[sid] = (gen, doc)
    return doc


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
