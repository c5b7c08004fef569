"""What a kind of call leg does as its call progresses: the hooks the engine calls on the
leg's purpose (``Engine(purposes=...)``), and the error for a purpose it was not given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    from ..store.models import Call
    from .core import Engine


class LegPurpose:
    """What a kind of call leg does as its call progresses (``options["purpose"]``). The engine
    is given a table of them (``Engine(purposes=...)``); every hook does nothing unless a
    purpose overrides it."""

    # The verb families a purpose that runs TwiML runs (``voice.VERBS``); none for the others.
    verbs: Mapping[type, Callable[..., bool]] = {}

    def on_progress(self, eng: Engine, call: Call, event: str) -> None:
        """The leg was initiated or is ringing (``event``)."""

    def on_answer(self, eng: Engine, call: Call) -> None:
        """The far end answered."""

    def on_failed(self, eng: Engine, call: Call) -> None:
        """The leg ended without being answered, or ended not ``completed``."""

    def on_hangup(self, eng: Engine, call: Call, by: str) -> None:
        """An answered leg is hung up by the far end (``caller``) or the API (``api``)."""

    def on_digits(self, eng: Engine, call: Call, digits: str) -> None:
        """The far end pressed ``digits``."""

    def on_conference_left(self, eng: Engine, call: Call, why: str) -> None:
        """The leg's participant left its conference while the call goes on."""

    def on_speech(self, eng: Engine, call: Call, text: str) -> None:
        """The far end starts saying ``text`` (a virtual party's declared speech)."""

    def on_document_end(self, eng: Engine, call: Call) -> bool:
        """The leg's TwiML ran out; True if the purpose carries on (else the call ends)."""
        return False


class UnknownPurpose(LookupError):
    """A leg whose purpose is not in the engine's table: a wiring mistake, never ignored."""
