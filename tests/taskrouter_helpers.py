"""A contact centre on TaskRouter for the tests: a workspace, a queue, a workflow whose
assignment callback answers ``conference``, workers with virtual phones, and the app."""

import json

import soundfile as sf
from audio_helpers import RATE, tone
from flask import Flask, jsonify, request
from twilio.twiml.voice_response import Enqueue, VoiceResponse

SUPPORT = "+15550200000"
CUSTOMER = "+15559990000"
AGENTS = {"alice": "+15550300001", "bob": "+15550300002"}


def xml(r):
    return str(r), 200, {"Content-Type": "text/xml"}


def make_app(centre):
    app = Flask(__name__)

    @app.post("/incoming")
    def incoming():
        r = VoiceResponse()
        e = Enqueue(workflow_sid=centre["workflow"],
                    wait_url=None if centre.get("default_wait") else "/wait")
        e.task(json.dumps({"selected_language": "en"}), priority=5)
        r.append(e)
        return xml(r)

    @app.post("/wait")
    def wait():
        r = VoiceResponse()
        r.play("file:" + centre["wait_wav"])
        return xml(r)

    @app.post("/hold")
    def hold():
        r = VoiceResponse()
        r.play("file:" + request.args["wav"])
        return xml(r)

    @app.post("/assign")
    def assign():
        centre["assignments"].append(dict(request.form))
        answer = centre.get("answer")
        if answer is None:
            return "", 200
        if isinstance(answer, str):
            return answer, 200, {"Content-Type": "text/plain"}
        return jsonify(answer)

    @app.post("/broken")
    def broken():
        return "down", 500

    @app.post("/events")
    def events():
        return "", 204

    @app.post("/<path:other>")
    def other(other):
        return "", 204

    return app


def wav(tmp_path, name, hz):
    path = tmp_path / name
    sf.write(path, tone(hz, 60.0), RATE, subtype="PCM_16")
    return str(path)


def build(emu, tmp_path, answer=None, reservation_timeout=120, workers=("alice",),
          available=True, host=None):
    """``host``: the app's own host name (the router is server-wide: a second world's app
    needs its own), else every webhook goes to this app at ``app.test``."""
    centre = {"assignments": [], "wait_wav": wav(tmp_path, "wait.wav", 300)}
    emu.deliver_webhooks_to(make_app(centre), host=host)
    base = f"http://{host or 'app.test'}"
    tr = emu.client.taskrouter.v1
    ws = tr.workspaces.create(friendly_name="Contact centre",
                              event_callback_url=f"{base}/events")
    acts = {a.friendly_name: a.sid for a in tr.workspaces(ws.sid).activities.list()}
    queue = tr.workspaces(ws.sid).task_queues.create(
        friendly_name="English", target_workers="languages HAS 'en'")
    flow = tr.workspaces(ws.sid).workflows.create(
        friendly_name="Inbound", assignment_callback_url=f"{base}/assign",
        task_reservation_timeout=reservation_timeout,
        configuration=json.dumps({"task_routing": {
            "filters": [{"filter_friendly_name": "English",
                         "expression": "selected_language == 'en'",
                         "targets": [{"queue": queue.sid}]}],
            "default_filter": {"queue": queue.sid}}}))
    centre.update(workspace=ws.sid, workflow=flow.sid, queue=queue.sid, activities=acts,
                  tr=tr.workspaces(ws.sid), workers={})
    if answer == "conference":
        answer = {"instruction": "conference", "from": SUPPORT,
                  "post_work_activity_sid": acts["Offline"]}
    centre["answer"] = answer
    for i, name in enumerate(workers):
        number = AGENTS[name]
        emu.phone(number, audio=wav(tmp_path, f"{name}.wav", 700 + 200 * i), answer_after=2)
        w = centre["tr"].workers.create(
            friendly_name=name, activity_sid=acts["Available" if available else "Offline"],
            attributes=json.dumps({"languages": ["en"], "contact_uri": number}))
        centre["workers"][name] = w.sid
    emu.client.incoming_phone_numbers.create(phone_number=SUPPORT,
                                             voice_url=f"{base}/incoming")
    return centre


def events(emu):
    return [dict(e["params"]) for e in emu.webhooks.all(kind="taskrouter-event")]


def event_types(emu):
    return [e["EventType"] for e in events(emu)]
