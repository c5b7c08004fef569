"""``Emulator``: one emulated Twilio, in-process; the object the CLI, the pytest plugin and the
server are built from.

    emu = Emulator()                      # manual clock, in-memory SQLite, seed 0
    client = emu.client                   # twilio-python, wired with no socket
    client.conferences("Room").participants.create(from_="+15550001111", to="+15550002222")
    emu.advance(5)                        # deliver everything due in the next 5 virtual seconds
    emu.webhooks.assert_events([...])

An Emulator is the default account's :class:`~twilio_conf_emulator.world.World` and the server
around it: every other account (``create_account``) owns a world of its own, reached with
``emu.world(account_sid)`` or through its credentials over the API.
"""

from __future__ import annotations

import copy
import os
import threading
from typing import Any

from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, EmulatorConfig
from .engine import accounts as accounts_engine
from .engine.shared import SharedStore
from .errors import BadRequest
from .sids import SidFactory, is_sid
from .store import models
from .store.db import is_new_store, open_store
from .webhooks.transport import HttpTransport, Router
from .world import World
from .wsgi import EmulatorApp


def stored_sids(db: Any) -> dict[str, list[str]]:
    """The server's own SIDs a store already holds (accounts and keys), by prefix."""
    return {"AC": [sid for (sid,) in db.query(models.Account.sid)],
            "SK": [sid for (sid,) in db.query(models.ApiKey.sid)]}


class Emulator(World):
    """One emulated Twilio in this process: a store shared by one world per account, a webhook
    router, and the WSGI app serving the REST API and ``/_emulator/*`` (the process's one
    Flask app, bound to this emulator per request; Flask is imported on the first request).

    ``db_url``: any SQLAlchemy URL (in-memory SQLite by default; a file keeps live state across
    a restart). ``clock``: ``manual`` (time moves only in :meth:`advance`) or ``realtime``
    (:meth:`start_realtime` follows the wall clock times ``speed``, in every world). ``seed``
    fixes every SID, so the same scenario gives the same journal and WAV bytes. ``account_sid``
    / ``auth_token`` name the default account (else ``TWILIO_ACCOUNT_SID`` /
    ``TWILIO_AUTH_TOKEN``, else fixed test values). ``config``: an :class:`EmulatorConfig`
    (every choice where Twilio is silent; a new world starts from a copy of it). ``epoch``:
    the virtual time it starts at. ``admin_token``: what ``POST /_emulator/accounts`` needs
    when ``config.loopback_only`` is false.

    The Emulator itself is the default account's world; it satisfies
    :class:`~twilio_conf_emulator.faces.EmulatorFace`, as ``RemoteEmulator`` does for a running
    server. Within one world a second concurrent :meth:`advance` waits, then fails with 20409.
    """

    def __init__(self, db_url: str = "sqlite://", clock: str = "manual", speed: float = 1.0,
                 seed: int = 0, account_sid: str | None = None, auth_token: str | None = None,
                 config: EmulatorConfig | None = None, epoch: float | None = None,
                 admin_token: str | None = None) -> None:
        config = config or EmulatorConfig()
        account_sid = (account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
                       or DEFAULT_ACCOUNT_SID)
        auth_token = (auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
                      or DEFAULT_AUTH_TOKEN)
        # Server-wide: what every world shares.
        self.clock_mode = clock
        self.speed = speed
        self.seed = seed
        self.epoch = epoch
        self.admin_token = admin_token
        self.startup_config = copy.deepcopy(config)  # what a new world's config starts as
        self.server_sids = SidFactory(seed)  # accounts, keys, tokens
        self.router = Router(config, default=HttpTransport(config))
        self.store = SharedStore(open_store(db_url))
        # A store made just now (in memory, or a file or database with none of our tables)
        # holds no rows: its first world has nothing to resume, and start-up reads nothing.
        resume = not is_new_store(self.store.db)
        self._app = EmulatorApp(self)
        self.worlds: dict[str, World] = {}
        self._worlds_lock = threading.RLock()
        self._realtime_tick: float | None = None
        with self.store.lock:
            self._init_world(self, account_sid, auth_token, config, resume=resume)
            with self.engine.transaction() as db:
                if resume:
                    self.server_sids.resume(stored_sids(db))
                accounts_engine.ensure_account(db, account_sid, auth_token, self.clock.now(),
                                               replace_token=True)
            self.worlds[account_sid] = self

    @property
    def app(self) -> Any:
        """The WSGI app serving the REST and control APIs for every world of this emulator:
        the process's one Flask app, built (and Flask imported) on first use, bound to this
        emulator per request. An emulator driven only through its Python methods never
        imports Flask."""
        from .app import shared_app

        shared_app()
        return self._app

    @property
    def loopback_only(self) -> bool:
        return bool(self.startup_config.loopback_only)

    # -- worlds --------------------------------------------------------------------------------
    def world(self, account_sid: str) -> World:
        """The world of ``account_sid`` (``KeyError`` for an unknown account)."""
        w = self.world_for(account_sid)
        if w is None:
            raise KeyError(account_sid)
        return w

    def world_for(self, account_sid: str, resume: bool = True) -> World | None:
        """The world of an existing account (made on first use), or None. ``resume=False``:
        the account is new, so the store holds nothing of its world to carry on from."""
        w = self.worlds.get(account_sid)
        if w is not None:
            return w
        with self.store.lock, self._worlds_lock:
            w = self.worlds.get(account_sid)
            if w is not None:
                return w
            acct = self.store.db.get(models.Account, account_sid)
            if acct is None:
                return None
            w = World()
            w._init_world(self, account_sid, acct.auth_token,
                          copy.deepcopy(self.startup_config), resume=resume)
            self.worlds[account_sid] = w
        if self._realtime_tick is not None:
            w.start_realtime(self._realtime_tick)
        return w

    def create_account(self, sid: str | None = None, auth_token: str | None = None,
                       friendly_name: str | None = None) -> tuple[str, str]:
        """A fresh, isolated account with its own world. An existing SID is refused (400):
        an account's token is never replaced this way."""
        if sid is not None and not is_sid(sid, "AC"):
            raise BadRequest("sid must be AC followed by 32 hexadecimal digits", code=20001)
        if auth_token is not None and (not isinstance(auth_token, str)
                                       or not 1 <= len(auth_token) <= 64):
            raise BadRequest("auth_token must be a string of 1 to 64 characters", code=20001)
        if friendly_name is not None and (not isinstance(friendly_name, str)
                                          or len(friendly_name) > 64):
            raise BadRequest("friendly_name must be a string of at most 64 characters",
                             code=20001)
        with self.store.lock:
            saved = self.server_sids.snapshot()
            try:
                with self.engine.transaction() as db:
                    sid = sid or self.server_sids.new("AC")
                    if db.get(models.Account, sid) is not None:
                        raise BadRequest(f"Account {sid} already exists; POST /_emulator/"
                                         "accounts never changes an existing account",
                                         code=20001)
                    token = auth_token or self.server_sids.new("TK")[2:]
                    accounts_engine.ensure_account(db, sid, token, self.clock.now(),
                                                   friendly_name)
            except BaseException:
                self.server_sids.restore(saved)
                raise
        # Refused above if it existed, and closing an account deletes its world's rows: a
        # new account's world has nothing in the store to resume.
        self.world_for(sid, resume=False)
        return sid, token

    def close_account(self, account_sid: str) -> None:
        """Drop an account made by ``create_account`` with its whole world (rows, keys,
        runner): what a CI server does after each test so it does not grow without end.
        The default account cannot be closed (400)."""
        if account_sid == self.account_sid:
            raise BadRequest("The default account cannot be closed", code=20001)
        w = self.world(account_sid)
        w.stop_realtime()
        w.reset()
        with self.store.lock, self._worlds_lock:
            with self.engine.transaction() as db:
                db.query(models.ApiKey).filter(models.ApiKey.account_sid == account_sid) \
                    .delete(synchronize_session=False)
                db.query(models.Account).filter(models.Account.sid == account_sid) \
                    .delete(synchronize_session=False)
            self.store.forget_rows()
            self.worlds.pop(account_sid, None)

    def create_api_key(self, account_sid: str | None = None,
                       secret: str | None = None) -> tuple[str, str]:
        """An API key (``SK...``, secret) of ``account_sid`` (default: the default account)."""
        account_sid = account_sid or self.account_sid
        with self.store.lock:
            saved = self.server_sids.snapshot()
            try:
                with self.engine.transaction() as db:
                    if db.get(models.Account, account_sid) is None:
                        raise BadRequest(f"Account {account_sid} does not exist", code=20001)
                    sid = self.server_sids.new("SK")
                    secret = secret or self.server_sids.new("SS")[2:]
                    accounts_engine.add_api_key(db, sid, secret, account_sid)
            except BaseException:
                self.server_sids.restore(saved)
                raise
        return sid, secret

    def authenticate(self, authorization: str | None) -> World:
        """The world the REST credentials (Basic ``AC…:token`` or ``SK…:secret``) unlock;
        else ``errors.Unauthorized`` (20003)."""
        with self.store.lock:
            account_sid = accounts_engine.credentials_account(self.store.db, authorization)
        return self.world(account_sid)

    # -- the process -----------------------------------------------------------------------------
    def start_realtime(self, tick: float = 0.02) -> None:
        """Realtime mode: every world (and every world made later) follows the wall clock."""
        if self.clock_mode != "realtime":
            return
        self._realtime_tick = tick
        for w in list(self.worlds.values()):
            World.start_realtime(w, tick)

    def stop(self) -> None:
        self._realtime_tick = None
        for w in list(self.worlds.values()):
            w.stop_realtime()
        self.router.close()
