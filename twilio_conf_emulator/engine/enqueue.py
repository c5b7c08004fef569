"""``<Enqueue workflowSid="WW...">``: the caller waits while TaskRouter finds a worker.

    <Enqueue workflowSid="WW..." waitUrl="/wait" waitUrlMethod="POST">
      <Task priority="5" timeout="3600">{"selected_language": "en"}</Task>
    </Enqueue>

A Task is created in the Workflow's workspace with the call's attributes (``call_sid``,
``from``, ``to``, ``direction``, ``account_sid``, ``called``, ``caller``, ``api_version``,
``call_status``...) merged with the ``<Task>`` JSON; the caller hears the waitUrl document
(default: Twilio's hold music) until an instruction moves the call on. A caller who hangs up
while queued cancels the Task (reason: ``taskrouter_hangup_reason``, default ``hangup``). ``<Enqueue>`` without ``workflowSid``
(a named ``<Queue>``) is not built: warning 12200, the next verb runs.
"""

import json
import re
from dataclasses import dataclass

from ..errors import TwilioError
from ..media import timeline as tl
from . import audio_docs, callbacks, twiml
from . import calls as call_legs
from . import voice

PURPOSE = "taskrouter-queued"


@dataclass
class Enqueue(twiml.Verb):
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


def _parse(el, ctx):
    a = twiml._Attrs(el, ctx)
    task, priority, timeout = None, None, None
    for child in twiml._elements(el, ctx):
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


def call_attributes(call):
    """The call's parameters as Task attributes, in the seed's snake_case spelling."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v
            for k, v in callbacks.voice_params(call)}


def _run(eng, call, verb, gen, i):
    """Returns True: the document stops here while the caller is queued."""
    from ..taskrouter import tasks as tr_tasks
    from ..taskrouter.models import Workflow, Workspace

    wf = eng.db.get(Workflow, verb.workflow_sid or "")
    if wf is None or wf.account_sid != call.account_sid:
        what = "without workflowSid (a named queue)" if not verb.workflow_sid \
            else f"with unknown workflowSid {verb.workflow_sid}"
        voice._alert(eng, call, twiml.SCHEMA_WARNING, f"<Enqueue> {what} is not run by "
                     "twilio-conf-emulator: skipped, the next verb runs", level="warning")
        return False
    attrs = call_attributes(call)
    try:
        extra = json.loads(verb.task_attributes) if verb.task_attributes else {}
        if not isinstance(extra, dict):
            raise ValueError
    except ValueError:
        voice._alert(eng, call, twiml.SCHEMA_WARNING, "<Task> must hold a JSON object: its "
                     "attributes are ignored", level="warning")
        extra = {}
    attrs.update(extra)
    ws = eng.db.get(Workspace, wf.workspace_sid)
    try:
        task = tr_tasks.create_task(eng, ws, {
            "WorkflowSid": wf.sid, "Attributes": json.dumps(attrs, separators=(", ", ": ")),
            "Priority": verb.priority, "Timeout": verb.timeout, "TaskChannel": "voice"})
    except TwilioError as err:
        voice._alert(eng, call, err.code, f"<Enqueue>: {err.message}")
        return False
    voice._set(call, purpose=PURPOSE, tr_task=task.sid, tr_workspace=ws.sid)
    _play_wait(eng, call, verb)
    return True


def _play_wait(eng, call, verb):
    sid = call.sid
    if not verb.wait_url:
        eng.media_event(tl.CALL_PLAY, call_sid=sid, audio={**audio_docs.HOLD_MUSIC,
                                                            "loop": voice.PLAY_LOOP_MAX})
        return

    def done(ref, error):
        c = eng.db.get(call_legs.Call, sid)
        if c is None or (c.options or {}).get("purpose") != PURPOSE:
            return
        if error is not None:
            eng.alert(c.account_sid, error[0], error[1], call_sid=sid, url=verb.wait_url)
            return
        eng.media_event(tl.CALL_PLAY, call_sid=sid, audio={**ref, "loop": voice.PLAY_LOOP_MAX})

    audio_docs.fetch_playlist(eng, call.account_sid, verb.wait_url, verb.wait_method,
                              callbacks.voice_params(call), done, call_sid=sid, kind="enqueue-wait")


def _cancel_task(eng, call):
    from ..taskrouter import tasks as tr_tasks
    from ..taskrouter.models import Task, Workspace

    opts = call.options or {}
    task = eng.db.get(Task, opts.get("tr_task") or "")
    ws = eng.db.get(Workspace, opts.get("tr_workspace") or "")
    if task is None or ws is None or task.assignment_status not in tr_tasks.ACTIVE:
        return
    ringing = [(r.data or {}).get("worker_call_sid") for r in tr_tasks.reservations(eng, ws, task)
               if r.reservation_status == "pending"]
    tr_tasks.cancel(eng, ws, task, eng.config.taskrouter_hangup_reason)
    for leg in filter(None, ringing):  # after the cancel, so the reservation reads canceled
        call_legs.hangup(eng, leg, by="api")


class QueuedLeg(voice.TwimlLeg):
    """A caller waiting in a TaskRouter queue: hanging up cancels the Task."""

    @staticmethod
    def on_hangup(eng, call, by):
        voice.TwimlLeg.on_hangup(eng, call, by)
        _cancel_task(eng, call)

    @staticmethod
    def on_failed(eng, call):
        voice.TwimlLeg.on_failed(eng, call)
        _cancel_task(eng, call)

    @staticmethod
    def on_digits(eng, call, digits):
        pass


twiml._VERBS["Enqueue"] = _parse
voice.VERB_RUNNERS[Enqueue] = _run
call_legs.PURPOSES[PURPOSE] = QueuedLeg
