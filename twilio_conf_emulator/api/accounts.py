"""The Account itself (fetch, update FriendlyName/Status).

The views' routes are in ``late_views.py``: this module loads on the first request for one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import request

from ..timefmt import rfc2822
from .base import authenticated, engine, respond
from .params import TChoice, TString, field, schema_class
from .render import ROOT

if TYPE_CHECKING:  # annotations only
    from flask.typing import ResponseReturnValue

    from ..store.models import Account


SUBRESOURCES = {
    "available_phone_numbers": "AvailablePhoneNumbers", "calls": "Calls",
    "conferences": "Conferences", "incoming_phone_numbers": "IncomingPhoneNumbers",
    "notifications": "Notifications", "outgoing_caller_ids": "OutgoingCallerIds",
    "recordings": "Recordings", "transcriptions": "Transcriptions", "addresses": "Addresses",
    "signing_keys": "SigningKeys", "connect_apps": "ConnectApps", "sip": "SIP",
    "authorized_connect_apps": "AuthorizedConnectApps", "usage": "Usage", "keys": "Keys",
    "applications": "Applications", "short_codes": "SMS/ShortCodes", "queues": "Queues",
    "messages": "Messages", "balance": "Balance",
}

UpdateParams = schema_class("UpdateAccountParams", {
    "friendly_name": field(TString, "FriendlyName", max_length=64),
    "status": field(TChoice, "Status", choices=("active", "suspended", "closed"),
                    ignored="stored; a suspended or closed account still works here"),
})


def render_account(a: Account) -> dict[str, Any]:
    return {
        "auth_token": a.auth_token,
        "date_created": rfc2822(a.date_created),
        "date_updated": rfc2822(a.date_updated),
        "friendly_name": a.friendly_name,
        "owner_account_sid": a.owner_account_sid,
        "sid": a.sid,
        "status": a.status,
        "subresource_uris": {k: f"{ROOT}/{a.sid}/{v}.json" for k, v in SUBRESOURCES.items()},
        "type": a.type,
        "uri": f"{ROOT}/{a.sid}.json",
    }


@authenticated
def fetch_account(account: Account) -> ResponseReturnValue:
    return respond(render_account(account))


@authenticated
def update_account(account: Account) -> ResponseReturnValue:
    p = UpdateParams.parse(request.form)
    eng = engine()
    with eng.transaction() as db:
        acct = db.merge(account)
        for k, v in p.items():
            setattr(acct, k, v)
        acct.date_updated = eng.now()
        body = render_account(acct)
    return respond(body)
