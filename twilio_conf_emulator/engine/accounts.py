"""Accounts, API keys and HTTP Basic authentication."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING, Any

from ..errors import Unauthorized
from ..store.models import Account, ApiKey

if TYPE_CHECKING:  # annotations only
    from sqlalchemy.orm import Session

def ensure_account(db: Session, sid: str, auth_token: str, now: float, friendly_name: str | None = None,
                   replace_token: bool = False) -> Account:
    """The account ``sid``, made if missing; an existing account keeps its token unless the
    operator replaces it (``serve --auth-token`` for the default account, at start-up)."""
    acct = db.get(Account, sid)
    if acct is None:
        acct = Account(
            sid=sid, auth_token=auth_token, friendly_name=friendly_name or f"Emulated {sid[-6:]}",
            status="active", type="Full", owner_account_sid=sid, date_created=now, date_updated=now,
        )
        db.add(acct)
    elif replace_token:
        acct.auth_token = auth_token
    return acct


def add_api_key(db: Session, sid: str, secret: str, account_sid: str) -> ApiKey:
    key = ApiKey(sid=sid, secret=secret, account_sid=account_sid)
    db.merge(key)
    return key


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """``Authorization: Basic ...`` -> (user, password), or None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = raw.partition(":")
    return (user, password) if sep else None


def authenticate(db: Session, authorization: str | None, path_account_sid: str | None) -> Any:
    """The Account the credentials unlock for ``path_account_sid``; else 20003.

    ``AC…:auth_token`` of that account (or of its owner), or ``SK…:secret`` of one of its keys.
    Credentials of another account are denied exactly like wrong ones, so nothing leaks.
    """
    creds = parse_basic(authorization)
    if creds is None:
        raise Unauthorized()
    user, password = creds
    target = db.get(Account, path_account_sid) if path_account_sid else None
    if user.startswith("SK"):
        key = db.get(ApiKey, user)
        if key is None or key.secret != password:
            raise Unauthorized()
        owner = key.account_sid
    else:
        # Most requests name their own account in the path: one lookup serves both.
        acct = target if target is not None and user == target.sid else db.get(Account, user)
        if acct is None or acct.auth_token != password:
            raise Unauthorized()
        owner = acct.sid
    if target is None:
        raise Unauthorized()
    if owner != target.sid and owner != target.owner_account_sid:
        raise Unauthorized()
    return target


def credentials_account(db: Session, authorization: str | None) -> str:
    """The account SID whose world Basic credentials unlock (``AC…:auth_token`` of it, or
    ``SK…:secret`` of one of its keys); else 20003."""
    creds = parse_basic(authorization)
    if creds is None:
        raise Unauthorized()
    user, password = creds
    if user.startswith("SK"):
        key = db.get(ApiKey, user)
        if key is None or not hmac.compare_digest(key.secret, password):
            raise Unauthorized()
        return key.account_sid
    acct = db.get(Account, user)
    if acct is None or not hmac.compare_digest(acct.auth_token, password):
        raise Unauthorized()
    return acct.sid
