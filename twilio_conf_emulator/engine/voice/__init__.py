"""The TwiML voice engine, one module per verb family:

- ``runner``: the interpreter loop (fetch a document, run its verbs in order; Say, Play, Pause,
  Redirect, Hangup, Reject), ``state``: what a leg keeps between verbs;
- ``gather``: <Gather>; ``dial``: <Dial>, with ``dial_conference`` and ``dial_number`` (the
  bridged child leg) and ``dial_action`` (what every <Dial> does when it ends);
- ``enqueue``: <Enqueue workflowSid> (a TaskRouter Task; the caller waits);
- ``leg``: the ``twiml`` leg purpose and the Calls API redirect; ``calls_api``: Create/Update
  Call; ``inbound``: virtual callers routed by an IncomingPhoneNumber's VoiceUrl.

:func:`purposes` is the one place the families are wired: a new verb family (``<Enqueue>``...)
is a new module with ``run(eng, call, verb, gen, i)`` and one entry in ``VERBS``.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import twiml
from ..core import LegPurpose
from . import dial, enqueue, gather
from .dial_number import DialChild
from .leg import TwimlLeg

VERBS: dict[type, Callable[..., bool]] = {twiml.Gather: gather.run, twiml.Dial: dial.run,
                                          twiml.Enqueue: enqueue.run}


def purposes() -> dict[str, LegPurpose]:
    """The leg purposes this package owns, for ``Engine(purposes=...)``."""
    return {"twiml": TwimlLeg(VERBS), "dial-child": DialChild(),
            enqueue.PURPOSE: enqueue.QueuedLeg(VERBS)}
