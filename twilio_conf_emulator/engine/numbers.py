"""IncomingPhoneNumbers: any E.164 number can be "yours"; within a world one account holds a
number at a time (worlds never see each other's numbers). Inbound virtual calls are routed
by these rows (see voice.inbound.inbound_call)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import BadRequest
from ..store.models import IncomingPhoneNumber

if TYPE_CHECKING:  # annotations only
    from .core import Engine


def create(eng: Engine, account_sid: str, number: str | None, area_code: str | None,
           fields: dict[str, Any]) -> IncomingPhoneNumber:
    """A number for ``account_sid``: ``number`` as given, or one picked deterministically in
    ``area_code``. A number another row already holds is 21422."""
    sid = eng.sids.new("PN")
    if number is None:
        number = f"+1{area_code}555{int(sid[2:10], 16) % 10000:04d}"
    taken = eng.db.query(IncomingPhoneNumber).filter(
        IncomingPhoneNumber.phone_number == number,
        IncomingPhoneNumber.account_sid == account_sid).first()
    if taken is not None:
        raise BadRequest(f"Phone number {number} is already in use", code=21422)
    now = eng.now()
    row = IncomingPhoneNumber(sid=sid, account_sid=account_sid, phone_number=number,
                              date_created=now, date_updated=now, fields=dict(fields))
    eng.db.add(row)
    return row


def update(eng: Engine, row: Any, fields: dict[str, Any]) -> IncomingPhoneNumber:
    row.fields = {**(row.fields or {}), **fields}
    row.date_updated = eng.now()
    return row
