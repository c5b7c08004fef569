"""Participants: create (into a conference by SID or friendly name), list, fetch, update,
delete, the last three by Call SID or by label."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request

from ..engine.conference import leaving, lookups
from . import participant_create as creating
from . import participant_resource as resource
from .base import authenticated, engine, no_content, respond
from .blueprint import blueprint

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue

    from ..engine.core import Engine
    from ..store.models import Account, Conference, Participant

PATH = "/Accounts/<account_sid>/Conferences/<conference_sid>/Participants"
# The schemas of these routes (defined with what api/hot.py shares), named here with the
# routes, as every API module names its own.
CreateParams = creating.CreateParams
UpdateParams, ListParams = resource.UpdateParams, resource.ListParams


@blueprint.post(PATH + ".json")
@authenticated
def create_participant(account: Account, conference_sid: str) -> ResponseReturnValue:
    return respond(creating.create(engine(), account, conference_sid, request.form, request.path),
                   201)


@blueprint.get(PATH + ".json")
@authenticated
def list_participants(account: Account, conference_sid: str) -> ResponseReturnValue:
    return respond(resource.page(engine(), account, conference_sid, request.args, request.path))


def _participant(eng: Engine, account: Account, conference_sid: str,
                 call_sid: str) -> tuple[Conference, Participant]:
    conf = lookups.get_conference(eng, account.sid, conference_sid, request.path)
    return conf, lookups.find_participant(eng, conf, call_sid, request.path)


@blueprint.get(PATH + "/<path:call_sid>.json")
@authenticated
def fetch_participant(account: Account, conference_sid: str, call_sid: str) -> ResponseReturnValue:
    return respond(resource.fetch(engine(), account, conference_sid, call_sid, request.path))


@blueprint.post(PATH + "/<path:call_sid>.json")
@authenticated
def update_participant(account: Account, conference_sid: str, call_sid: str) -> ResponseReturnValue:
    p = resource.UpdateParams.parse(request.form)
    return respond(resource.update(engine(), account, conference_sid, call_sid, p, request.path))


@blueprint.delete(PATH + "/<path:call_sid>.json")
@authenticated
def delete_participant(account: Account, conference_sid: str, call_sid: str) -> ResponseReturnValue:
    eng = engine()
    with eng.transaction():
        _, part = _participant(eng, account, conference_sid, call_sid)
        leaving.kick(eng, part)
    return no_content()
