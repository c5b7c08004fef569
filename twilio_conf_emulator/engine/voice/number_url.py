"""``<Number url>`` (also on ``<Client>`` and ``<Sip>``): the whisper.  When the dialled party
answers, the emulator fetches ``url`` for the dialled leg (``kind="number-url"``, the child
call's parameters) and runs that TwiML to the called party only: the caller is not bridged
yet and hears nothing of it.  When the document runs out the two are bridged; a
``<Hangup>`` in it ends the dialled leg instead (the caller's <Dial> then ends
``completed``), so "press 1 to accept" screening works with a ``<Gather>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .runner import fetch
from .state import docs, new_gen, opt, set_opts

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine


def start(eng: Engine, child: Call, d: dict[str, Any]) -> bool:
    """Run the whisper on the answered ``child``; False when the <Dial> has none."""
    url = d.get("number_url")
    if not url:
        return False
    set_opts(child, _whisper=True)
    fetch(eng, child, url, d.get("number_method") or "POST", "number-url")
    return True


def whispering(child: Call) -> bool:
    return bool(opt(child, "_whisper"))


def finish(eng: Engine, child: Call) -> None:
    """The whisper document ran out: it stops here (the caller is bridged next)."""
    set_opts(child, _whisper=None)
    new_gen(child)
    docs(eng).pop(child.sid, None)
