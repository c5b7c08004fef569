"""``<Dial><Client>`` and ``<Dial><Sip>``: agents' browser (Voice SDK) and SIP phones.

Both are a :class:`Number` to the interpreter: the dialled leg's ``To`` is
``client:<identity>`` or the SIP URI (without its ``;params`` and ``?headers``), and a
virtual phone registered under exactly that name answers it
(``emu.phone("client:alice")``, ``emu.phone("sip:alice@example.com")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .attrs import Attrs
from .model import Number

if TYPE_CHECKING:  # annotations only
    from lxml.etree import _Element

    from .attrs import Context

_CALL_EVENTS = ("initiated", "ringing", "answered", "completed")


@dataclass
class Client(Number):
    tag: ClassVar[str] = "Client"
    identity: str = ""


@dataclass
class Sip(Number):
    tag: ClassVar[str] = "Sip"
    uri: str = ""
    username: str | None = None


def _common(a: Attrs) -> dict[str, Any]:
    return dict(
        url=a.url("url", None),
        method=a.method("method", "POST"),
        status_callback=a.url("statusCallback", None),
        status_callback_event=a.tokens("statusCallbackEvent", ["completed"], _CALL_EVENTS),
        status_callback_method=a.method("statusCallbackMethod", "POST"),
    )


def client(el: _Element, ctx: Context) -> Client:
    """``<Client>alice</Client>`` or ``<Client><Identity>alice</Identity>...</Client>``."""
    a = Attrs(el, ctx)
    identity = (el.text or "").strip()
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "Identity":
            identity = (child.text or "").strip() or identity
        elif child.tag == "Parameter":
            ctx.warn("<Client><Parameter>: custom parameters are not delivered to virtual "
                     "phones", child)
        else:
            ctx.warn(f"<{child.tag}> is not allowed inside <Client>", child)
    if identity.lower().startswith("client:"):
        identity = identity[7:]
    if not identity:
        ctx.warn("<Client> needs an identity", el)
    return a.build(Client, number=f"client:{identity}", identity=identity, **_common(a))


def sip(el: _Element, ctx: Context) -> Sip:
    """``<Sip username password>sip:alice@example.com;transport=tls?X-H=1</Sip>``."""
    a = Attrs(el, ctx, known=("password",))
    text = (el.text or "").strip()
    base = text.split("?", 1)[0].split(";", 1)[0]
    if not base.lower().startswith(("sip:", "sips:")) or "@" not in base:
        ctx.warn(f"<Sip> needs a sip: URI, not {text!r}", el)
    return a.build(Sip, number=base, uri=text, username=a.string("username", None),
                   **_common(a))
