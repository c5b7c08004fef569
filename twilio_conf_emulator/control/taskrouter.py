"""``POST /_emulator/taskrouter/workers``: a TaskRouter worker with a virtual phone.

Body: ``{"workspace_sid", "friendly_name", "attributes": {...}, "activity": "Available"
(a name or WA SID), "phone": {"number", "answer_after", "audio", "hangup_after", ...}}``.
Answers the Worker as the TaskRouter API renders it (201)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import jsonify

from .blueprint import blueprint
from .routes import body, emulator

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue


@blueprint.post("/taskrouter/workers")
def taskrouter_worker() -> ResponseReturnValue:
    # TaskRouter's resources on first use: a served process that never declares a worker
    # does not keep them in memory (issue 11).
    from ..taskrouter import agents, render

    data = body()
    emu = emulator()
    account = emu.account_sid  # the world of the request's credentials, never another
    with emu.engine.transaction() as db:
        _, worker = agents.declare_worker(emu.engine, account, data)
        return jsonify(render.worker(db, worker)), 201
