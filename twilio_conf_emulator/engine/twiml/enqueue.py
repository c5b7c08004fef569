"""``<Enqueue>``: the document model and parser (running it is ``voice/enqueue.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .attrs import Attrs
from .model import Verb

if TYPE_CHECKING:  # annotations only
    from lxml.etree import _Element

    from .attrs import Context


@dataclass
class Enqueue(Verb):
    tag = "Enqueue"
    queue_name: str = ""
    workflow_sid: str | None = None
    wait_url: str | None = None
    wait_method: str = "POST"
    action: str | None = None
    method: str = "POST"
    task_attributes: str | None = None
    priority: str | None = None
    timeout: str | None = None


def parse_enqueue(el: _Element, ctx: Context) -> Enqueue:
    """``<Enqueue workflowSid waitUrl waitUrlMethod action method>name<Task priority timeout>
    {JSON}</Task></Enqueue>``; any other child: a warning."""
    a = Attrs(el, ctx)
    task, priority, timeout = None, None, None
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "Task":
            task = (child.text or "").strip() or None
            priority, timeout = child.get("priority"), child.get("timeout")
        else:
            ctx.warn(f"<{child.tag}> is not allowed inside <Enqueue>", child)
    return a.build(
        Enqueue, queue_name=(el.text or "").strip(), workflow_sid=a.string("workflowSid", None),
        wait_url=a.url("waitUrl", None), wait_method=a.method("waitUrlMethod", "POST"),
        action=a.url("action", None), method=a.method("method", "POST"),
        task_attributes=task, priority=priority, timeout=timeout)
