"""The running TwiML document of each live call, kept in memory and stored on the call.

Parsed documents are cached per engine (parsing on every verb would cost); what a restart
needs is on the Call row: ``options["_doc"] = {"gen", "source", "base_url"}`` (the document as
it came, see ``twiml.Document.source``). A restarted engine whose cache lacks a call's document
parses it again from there. The position is not stored here: the next step is a stored
action (``twiml.step``: call SID, generation, verb index), like every other timer.
"""

import base64
import weakref

from ..store.models import Call
from . import twiml

_DOCS = weakref.WeakKeyDictionary()  # engine -> {call sid: (gen, Document)}


def _docs(eng):
    d = _DOCS.get(eng)
    if d is None:
        d = _DOCS[eng] = {}
    return d


def install(eng, call, gen, doc):
    """``doc`` is now what ``call`` runs (generation ``gen``)."""
    _docs(eng)[call.sid] = (gen, doc)
    stored = {"gen": gen, "source": _source(doc), "base_url": doc.base_url}
    call.options = {**(call.options or {}), "_doc": stored}


def drop(eng, call):
    _docs(eng).pop(call.sid, None)
    if (call.options or {}).get("_doc") is not None:
        call.options = {**call.options, "_doc": None}


def current(eng, sid, gen):
    """The document call ``sid`` runs in generation ``gen``, or None."""
    entry = _docs(eng).get(sid)
    if entry is not None:
        return entry[1] if entry[0] == gen else None
    call = eng.db.get(Call, sid)
    stored = (call.options or {}).get("_doc") if call is not None else None
    if not stored or stored.get("gen") != gen or not stored.get("source"):
        return None
    doc = _rebuild(stored["source"], stored.get("base_url"))
    _docs(eng)[sid] = (gen, doc)
    return doc


def _source(doc):
    if doc.source is not None:
        return doc.source
    # A document the engine made itself: an audio answer played as one <Play>.
    if len(doc.verbs) == 1 and getattr(doc.verbs[0], "ref", None) is not None:
        return ["play-ref", doc.verbs[0].ref]
    return None


def _rebuild(source, base_url):
    kind, value = source
    if kind == "xml":
        return twiml.parse(value, base_url)
    if kind == "xml-b64":
        return twiml.parse(base64.b64decode(value), base_url)
    if kind == "text":
        return twiml.document_from_text(value, base_url)
    from .voice import PlayRef

    return twiml.Document([PlayRef(ref=value)], [], base_url)


def forget(eng):
    """After a reset: SIDs start over, so no cached document may match a new call."""
    _DOCS.pop(eng, None)
