"""``<Enqueue workflowSid="WW...">``: the caller waits while TaskRouter finds a worker.

    <Enqueue workflowSid="WW..." waitUrl="/wait" waitUrlMethod="POST">
      <Task priority="5" timeout="3600">{"selected_language": "en"}</Task>
    </Enqueue>

A Task is created in the Workflow's workspace with the call's attributes (``call_sid``,
``from``, ``to``, ``direction``, ``account_sid``, ``called``, ``caller``, ``api_version``,
``call_status``...) merged with the ``<Task>`` JSON; the caller hears the waitUrl document
(default: Twilio's hold music) until an instruction moves the call on. A caller who hangs up
while queued cancels the Task (reason: ``taskrouter_hangup_reason``, default ``hangup``).
``<Enqueue>`` without ``workflowSid`` (a named ``<Queue>``) is not built: warning 12200, the
next verb runs.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ...errors import TwilioError
from ...media import timeline as tl
from ...store.models import Call
from .. import audio_docs, callbacks, twiml
from .. import calls as call_legs
from .leg import TwimlLeg
from .state import alert, set_opts

if TYPE_CHECKING:  # annotations only
    from ..core import Engine

PURPOSE = "taskrouter-queued"


def call_attributes(call: Call) -> dict[str, str]:
    """The call's parameters as Task attributes, in the seed's snake_case spelling."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v
            for k, v in callbacks.voice_params(call)}


def run(eng: Engine, call: Call, verb: twiml.Enqueue, gen: int, i: int) -> bool:
    """True: the document stops here while the caller is queued."""
    # TaskRouter loads with the first <Enqueue> that names a workflow (engine/late_table.py).
    wf = None
    if verb.workflow_sid:
        from ...taskrouter.models import Workflow

        wf = eng.db.get(Workflow, verb.workflow_sid)
    if wf is None or wf.account_sid != call.account_sid:
        what = "without workflowSid (a named queue)" if not verb.workflow_sid \
            else f"with unknown workflowSid {verb.workflow_sid}"
        alert(eng, call, twiml.SCHEMA_WARNING, f"<Enqueue> {what} is not run by "
              "twilio-conf-emulator: skipped, the next verb runs", level="warning")
        return False
    attrs = call_attributes(call)
    try:
        extra = json.loads(verb.task_attributes) if verb.task_attributes else {}
        if not isinstance(extra, dict):
            raise ValueError
    except ValueError:
        alert(eng, call, twiml.SCHEMA_WARNING, "<Task> must hold a JSON object: its "
              "attributes are ignored", level="warning")
        extra = {}
    attrs.update(extra)
    from ...taskrouter import tasks as tr_tasks
    from ...taskrouter.models import Workspace

    ws = eng.db.get(Workspace, wf.workspace_sid)
    assert ws is not None  # a workflow's workspace outlives it
    try:
        task = tr_tasks.create_task(eng, ws, {
            "WorkflowSid": wf.sid, "Attributes": json.dumps(attrs, separators=(", ", ": ")),
            "Priority": verb.priority, "Timeout": verb.timeout, "TaskChannel": "voice"})
    except TwilioError as err:
        alert(eng, call, err.code, f"<Enqueue>: {err.message}")
        return False
    set_opts(call, purpose=PURPOSE, tr_task=task.sid, tr_workspace=ws.sid)
    _play_wait(eng, call, verb)
    return True


def _play_wait(eng: Engine, call: Call, verb: twiml.Enqueue) -> None:
    sid = call.sid
    if not verb.wait_url:
        eng.media_event(tl.CALL_PLAY, call_sid=sid, audio={**audio_docs.HOLD_MUSIC,
                                                            "loop": True})
        return

    def done(ref: Any, error: Any) -> None:
        c = eng.db.get(Call, sid)
        if c is None or (c.options or {}).get("purpose") != PURPOSE:
            return
        if error is not None:
            eng.alert(c.account_sid, error[0], error[1], call_sid=sid, url=verb.wait_url)
            return
        # The wait document plays again when it ends, as long as the caller waits.
        eng.media_event(tl.CALL_PLAY, call_sid=sid, audio={**ref, "loop": True})

    audio_docs.fetch_playlist(eng, call.account_sid, verb.wait_url, verb.wait_method,
                              callbacks.voice_params(call), done, call_sid=sid,
                              kind="enqueue-wait")


def _cancel_task(eng: Engine, call: Call) -> None:
    from ...taskrouter import reservations as tr_reservations
    from ...taskrouter import tasks as tr_tasks
    from ...taskrouter.models import Task, Workspace

    opts = call.options or {}
    task = eng.db.get(Task, opts.get("tr_task") or "")
    ws = eng.db.get(Workspace, opts.get("tr_workspace") or "")
    if task is None or ws is None or task.assignment_status not in tr_tasks.ACTIVE:
        return
    ringing = [(r.data or {}).get("worker_call_sid")
               for r in tr_reservations.of_task(eng, ws, task)
               if r.reservation_status == "pending"]
    tr_tasks.cancel(eng, ws, task, eng.config.taskrouter_hangup_reason)
    for leg in filter(None, ringing):  # after the cancel, so the reservation reads canceled
        call_legs.hangup(eng, leg, by="api")


class QueuedLeg(TwimlLeg):
    """A caller waiting in a TaskRouter queue: hanging up cancels the Task."""

    def on_hangup(self, eng: Engine, call: Call, by: str) -> None:
        super().on_hangup(eng, call, by)
        _cancel_task(eng, call)

    def on_failed(self, eng: Engine, call: Call) -> None:
        super().on_failed(eng, call)
        _cancel_task(eng, call)

    def on_digits(self, eng: Engine, call: Call, digits: str) -> None:
        pass
