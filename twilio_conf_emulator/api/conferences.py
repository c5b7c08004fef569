"""Conferences: list, fetch, update (``Status=completed``, ``AnnounceUrl``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request

from ..engine.conference import controls, lookups
from ..store.models import Conference
from . import filters, render
from .base import authenticated, engine, respond
from .blueprint import blueprint
from .paging import paginate
from .params import PAGING, TChoice, TMethod, TString, TUrl, field, schema_class

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue

    from ..store.models import Account

PATH = "/Accounts/<account_sid>/Conferences"
STATUSES = ("init", "in-progress", "completed")

ListParams = schema_class("ListConferenceParams", {
    **PAGING, "friendly_name": field(TString, "FriendlyName", code=20001),
})
UpdateParams = schema_class("UpdateConferenceParams", {
    "status": field(TChoice, "Status", code=20001, choices=("completed",)),
    "announce_url": field(TUrl, "AnnounceUrl", code=21205),
    "announce_method": field(TMethod, "AnnounceMethod", code=21200),
})


@blueprint.get(PATH + ".json")
@authenticated
def list_conferences(account: Account) -> ResponseReturnValue:
    args = request.args
    p = ListParams.parse(args)
    preds = (filters.date_filters(args, "DateCreated", "date_created")
             + filters.date_filters(args, "DateUpdated", "date_updated")
             + filters.enum_filter(args, "Status", "status", STATUSES))
    if "friendly_name" in p:
        preds.append(lambda c: c.friendly_name == p["friendly_name"])
    with engine().transaction() as db:
        rows = db.query(Conference).filter(Conference.account_sid == account.sid).all()
        rows = sorted(filters.apply(rows, preds), key=lambda c: (-c.date_created, c.sid))
        body = paginate(rows, "conferences", render.conference.dump, request.path, args, p)
    return respond(body)


@blueprint.get(PATH + "/<sid>.json")
@authenticated
def fetch_conference(account: Account, sid: str) -> ResponseReturnValue:
    with engine().transaction():
        conf = lookups.get_conference(engine(), account.sid, sid, request.path)
        body = render.conference.dump(conf)
    return respond(body)


@blueprint.post(PATH + "/<sid>.json")
@authenticated
def update_conference(account: Account, sid: str) -> ResponseReturnValue:
    p = UpdateParams.parse(request.form)
    eng = engine()
    with eng.transaction():
        conf = lookups.get_conference(eng, account.sid, sid, request.path)
        controls.update_conference(eng, conf, p)
        body = render.conference.dump(conf)
    return respond(body)
