"""<Dial>: which noun is dialled (a <Conference> or a <Number>); other nouns are skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import twiml
from . import dial_conference, dial_number
from .state import alert

if TYPE_CHECKING:  # annotations only
    from ...store.models import Call
    from ..core import Engine


def run(eng: Engine, call: Call, dial: twiml.Dial, gen: int, i: int) -> bool:
    """Start ``dial``; True if it is now running (it continues the document when it ends),
    False if it did nothing and the next verb runs."""
    noun = dial.noun
    if dial.record != "do-not-record" and not isinstance(noun, twiml.Number):
        alert(eng, call, twiml.SCHEMA_WARNING, f"<Dial record=\"{dial.record}\">: recorded "
              "for <Number> only (use <Conference record>)", level="warning")
    if isinstance(noun, twiml.Conference):
        return dial_conference.run(eng, call, dial, noun, gen, i)
    if isinstance(noun, twiml.Number):
        others = [n for n in dial.nouns[1:]]
        if others:
            alert(eng, call, twiml.SCHEMA_WARNING, "<Dial> with several nouns: only the first "
                   "<Number> is dialled by the emulator", level="warning")
        return dial_number.run(eng, call, dial, noun, gen, i)
    what = f"<{noun.tag}>" if noun is not None else "nothing"
    alert(eng, call, twiml.SCHEMA_WARNING, f"<Dial> {what}: not dialled by "
           "twilio-conf-emulator; the next verb runs", level="warning")
    return False
