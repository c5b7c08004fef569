"""The webhook journal, read side: query it and assert on it in tests.

    emu.webhooks.assert_events([
        {"StatusCallbackEvent": "participant-join"},
        {"StatusCallbackEvent": "conference-start"},
    ], kind="conference-status")

Entries are dicts, the same shape ``GET /_emulator/webhooks`` returns, so a Journal over a
remote server (``RemoteJournal``) behaves the same.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .store.models import JournalEntry
from .timefmt import rfc2822


def entry_dict(e: Any) -> dict[str, Any]:
    """A journal row (ORM object or Core row: the same attributes) as the API shows it."""
    params = [tuple(p) for p in e.params]
    return {
        "id": e.seq if e.seq is not None else e.id,  # the number in its world's journal
        "time": e.time,
        "timestamp": rfc2822(e.time),
        "kind": e.kind,
        "url": e.url,
        "method": e.method,
        "params": params,
        "signature": e.signature,
        "status": e.status,
        "body": e.body,
        "body_size": e.body_size,
        "error_code": e.error_code,
        "error_message": e.error_message,
        "call_sid": e.call_sid,
        "conference_sid": e.conference_sid,
        "account_sid": e.account_sid,
    }


def query(db: Session, kind: str | None = None, conference_sid: str | None = None,
          call_sid: str | None = None, account_sid: str | None = None,
          since_id: int | str | None = None) -> list[dict[str, Any]]:
    """Journal entries as dicts, in order, narrowed by whichever filters are given."""
    # Core rows, not ORM objects: the journal is read-only here and can be long.
    t = JournalEntry.__table__
    stmt = select(t).order_by(t.c.id)
    if kind:
        stmt = stmt.where(t.c.kind == kind)
    if conference_sid:
        stmt = stmt.where(t.c.conference_sid == conference_sid)
    if call_sid:
        stmt = stmt.where(t.c.call_sid == call_sid)
    if account_sid:
        stmt = stmt.where(t.c.account_sid == account_sid)
    if since_id:
        stmt = stmt.where(t.c.seq > int(since_id))
    return [entry_dict(e) for e in db.connection().execute(stmt)]


class JournalView:
    """Query helpers over a source of entry dicts (``_fetch(**filters)``)."""

    def _fetch(self, kind: str | None = None, conference_sid: str | None = None,
               call_sid: str | None = None, account_sid: str | None = None,
               since_id: int | str | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError  # the in-process Journal and RemoteJournal provide it

    def all(self, **filters: Any) -> list[dict[str, Any]]:
        """Every entry (``kind=``, ``conference_sid=``, ``call_sid=``... narrow it)."""
        return self._fetch(**filters)

    def params(self, **filters: Any) -> list[dict[str, str]]:
        """Each entry's params as a dict (the first value of a repeated name)."""
        out = []
        for e in self._fetch(**filters):
            d: dict[str, str] = {}
            for k, v in e["params"]:
                d.setdefault(k, v)
            out.append(d)
        return out

    def events(self, kind: str = "conference-status", **filters: Any) -> list[str | None]:
        """The ``StatusCallbackEvent`` values sent, in order."""
        return [p.get("StatusCallbackEvent") or p.get("CallStatus")
                for p in self.params(kind=kind, **filters)]

    def assert_events(self, expected: Sequence[str | dict[str, Any]], kind: str = "conference-status",
                      exact: bool = True, **filters: Any) -> list[dict[str, str]]:
        """Compare the sent callbacks with ``expected`` (a list of partial param dicts, or of
        event names); raise AssertionError with a readable diff on mismatch."""
        actual = self.params(kind=kind, **filters)
        wanted = [{"StatusCallbackEvent": e} if isinstance(e, str) else dict(e)
                  for e in expected]
        ok = len(actual) == len(wanted) if exact else len(actual) >= len(wanted)
        if ok:
            for exp, act in zip(wanted, actual, strict=False):
                if any(act.get(k) != str(v) for k, v in exp.items()):
                    ok = False
                    break
        if not ok:
            raise AssertionError("webhook journal does not match:\n" + _diff(wanted, actual))
        return actual


def _line(d: dict[str, Any], keys: list[str]) -> str:
    return json.dumps({k: d.get(k) for k in keys}, sort_keys=False)


def _diff(expected: Sequence[dict[str, Any]], actual: Sequence[dict[str, Any]]) -> str:
    keys: list[str] = []
    for e in expected:
        for k in e:
            if k not in keys:
                keys.append(k)
    keys = keys or ["StatusCallbackEvent"]
    exp = [_line(e, keys) for e in expected]
    act = [_line(a, keys) for a in actual]
    return "\n".join(difflib.unified_diff(exp, act, "expected", "actual", lineterm=""))


class Journal(JournalView):
    """The journal of one world (an in-process Emulator's default account, or a World)."""

    def __init__(self, emulator: Any) -> None:
        self._emu = emulator

    def _fetch(self, kind: str | None = None, conference_sid: str | None = None,
               call_sid: str | None = None, account_sid: str | None = None,
               since_id: int | str | None = None) -> list[dict[str, Any]]:
        own = self._emu.account_sid
        if account_sid not in (None, own):
            return []  # another world's journal is not visible from this one
        with self._emu.engine.transaction() as db:
            return query(db, kind, conference_sid, call_sid, own, since_id)
