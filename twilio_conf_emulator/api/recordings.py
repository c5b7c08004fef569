"""Recordings (conference-level and account-level).

Until the mixer is wired to the engine these routes answer a Twilio-shaped 501, never a
fake body.
"""

from . import blueprint
from .base import authenticated
from ..errors import NotImplementedYet

CONF = "/Accounts/<account_sid>/Conferences/<conference_sid>/Recordings"
ACCT = "/Accounts/<account_sid>/Recordings"


def _not_yet():
    raise NotImplementedYet("Recordings")


@blueprint.route(CONF + ".json", methods=["GET"])
@authenticated
def list_conference_recordings(account, conference_sid):
    _not_yet()


@blueprint.route(CONF + "/<sid>.json", methods=["GET", "POST", "DELETE"])
@authenticated
def conference_recording(account, conference_sid, sid):
    _not_yet()


@blueprint.route(ACCT + ".json", methods=["GET"])
@authenticated
def list_recordings(account):
    _not_yet()


@blueprint.route(ACCT + "/<sid>", methods=["GET", "DELETE"])
@blueprint.route(ACCT + "/<sid>.<ext>", methods=["GET", "DELETE"])
@authenticated
def recording(account, sid, ext="json"):
    _not_yet()
