"""``Emulator``: one emulated Twilio, in-process; the object the CLI, the pytest plugin and the
server are built from.

    emu = Emulator()                      # manual clock, in-memory SQLite, seed 0
    client = emu.client                   # twilio-python, wired with no socket
    client.conferences("Room").participants.create(from_="+15550001111", to="+15550002222")
    emu.advance(5)                        # deliver everything due in the next 5 virtual seconds
    emu.webhooks.assert_events([...])
"""

from __future__ import annotations

import os
import threading
from typing import Any

from sqlalchemy import delete

from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, EmulatorConfig
from .engine import accounts as accounts_engine
from .engine import calls as calls_engine
from .engine.clock import VirtualClock
from .engine.core import Engine
from .engine.purposes import leg_purposes
from .faces import Digits
from .journal import Journal
from .sids import SidFactory
from .store import models
from .store.db import open_store
from .webhooks.transport import HttpTransport, Router, WsgiTransport

STATE_TABLES = (models.Participant, models.Conference, models.Call, models.IncomingPhoneNumber,
                models.Recording, models.VirtualPhone, models.JournalEntry, models.Alert,
                models.MediaEventRow)


def stored_sids(db: Any) -> dict[str, list[str]]:
    """Every SID a store already holds, by prefix (empty for a fresh store)."""
    tables: dict[str, Any] = {"AC": models.Account, "SK": models.ApiKey, "CF": models.Conference,
              "CA": models.Call, "PN": models.IncomingPhoneNumber, "RE": models.Recording}
    return {prefix: [sid for (sid,) in db.query(model.sid)] for prefix, model in tables.items()}


class Emulator:
    """One emulated Twilio in this process: a store, a virtual clock, the engine, and (built on
    first use) the Flask app serving the REST API and ``/_emulator/*``.

    ``db_url``: any SQLAlchemy URL (in-memory SQLite by default; a file keeps live state across
    a restart). ``clock``: ``manual`` (time moves only in :meth:`advance`) or ``realtime``
    (:meth:`start_realtime` follows the wall clock times ``speed``). ``seed`` fixes every SID,
    so the same scenario gives the same journal and WAV bytes. ``account_sid`` /
    ``auth_token`` name the default account (else ``TWILIO_ACCOUNT_SID`` /
    ``TWILIO_AUTH_TOKEN``, else fixed test values). ``config``: an :class:`EmulatorConfig`
    (every choice where Twilio is silent). ``epoch``: the virtual time it starts at.

    It satisfies :class:`~twilio_conf_emulator.faces.EmulatorFace`, as ``RemoteEmulator``
    does for a running server; not thread-safe for concurrent :meth:`advance` calls (a second
    one waits, then fails with 20409).
    """

    def __init__(self, db_url: str = "sqlite://", clock: str = "manual", speed: float = 1.0,
                 seed: int = 0, account_sid: str | None = None, auth_token: str | None = None,
                 config: EmulatorConfig | None = None, epoch: float | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.account_sid: str = (account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
                            or DEFAULT_ACCOUNT_SID)
        self.auth_token: str = (auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
                           or DEFAULT_AUTH_TOKEN)
        self.seed = seed
        self.epoch = epoch
        self.sids = SidFactory(seed)
        self.clock = VirtualClock(clock, epoch=epoch, speed=speed)
        self.router = Router(self.config, default=HttpTransport(self.config))
        self.engine = Engine(self.config, open_store(db_url), self.clock, self.sids, self.router,
                             purposes=leg_purposes())
        with self.engine.transaction() as db:
            self.sids.resume(stored_sids(db))
            accounts_engine.ensure_account(db, self.account_sid, self.auth_token,
                                           self.clock.now())
        self._app: Any = None
        self._app_lock = threading.Lock()
        self._client: Any = None
        self._runner: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def app(self) -> Any:
        """The Flask (WSGI) app serving the REST and control APIs, built on first use: an
        emulator driven only through its Python methods never imports Flask."""
        if self._app is None:
            with self._app_lock:
                if self._app is None:
                    from .app import create_app

                    self._app = create_app(self)
        return self._app

    # -- the clock -------------------------------------------------------------------------
    def advance(self, seconds: float = 0.0) -> float:
        """Run everything due in the next ``seconds`` of virtual time (0: what is due now)."""
        self.engine.advance(float(seconds))
        return float(self.clock.now())

    def now(self) -> float:
        """The virtual time, epoch seconds."""
        return float(self.clock.now())

    def start_realtime(self, tick: float = 0.02) -> None:
        """Realtime mode: a runner thread follows the wall clock times ``speed``."""
        if self.clock.mode != "realtime" or self._runner is not None:
            return

        def run() -> None:
            while not self._stop.is_set():
                self.engine.run_until(self.clock.realtime_target())
                self.engine.wait_for_work(tick)

        self._runner = threading.Thread(target=run, name="twilio-emulator-clock", daemon=True)
        self._runner.start()

    def stop(self) -> None:
        self._stop.set()
        if self._runner is not None:
            self._runner.join(timeout=5)
            self._runner = None
        self.router.close()

    # -- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """Drop all state but accounts and config; SIDs and the clock start over."""
        eng = self.engine
        with eng.run_lock, eng.transaction() as db:
            for table in STATE_TABLES:
                db.execute(delete(table))
            db.expunge_all()
            eng.forget_rows()
            eng.scheduler.clear()
            eng._outbox.clear()
            # Accounts and keys survive a reset, so their SIDs keep counting.
            self.sids.reset(keep=("AC", "SK", "SS", "TK"))
            self.clock.reset(self.epoch if self.clock.mode == "manual" else None)

    def create_account(self, sid: str | None = None, auth_token: str | None = None,
                       friendly_name: str | None = None) -> tuple[str, str]:
        """A fresh, isolated account (for parallel test workers)."""
        sid = sid or self.sids.new("AC")
        token = auth_token or self.sids.new("TK")[2:]
        with self.engine.transaction() as db:
            accounts_engine.ensure_account(db, sid, token, self.clock.now(), friendly_name)
        return sid, token

    def create_api_key(self, account_sid: str | None = None,
                       secret: str | None = None) -> tuple[str, str]:
        """An API key (``SK...``, secret) of ``account_sid`` (default: the default account)."""
        sid = self.sids.new("SK")
        secret = secret or self.sids.new("SS")[2:]
        with self.engine.transaction() as db:
            accounts_engine.add_api_key(db, sid, secret, account_sid or self.account_sid)
        return sid, secret

    def phone(self, number: str, account_sid: str | None = None,
              **behaviour: Any) -> dict[str, Any]:
        """How ``number`` behaves when the emulator dials it: ``outcome`` (answer, busy,
        no-answer, failed), ``answer_after``, ``audio`` (a WAV path), ``hangup_after``,
        ``digits`` ([{"at": s, "digits": "1#"}])."""
        with self.engine.transaction() as db:
            return dict(calls_engine.set_phone(db, number, dict(behaviour), account_sid))

    # -- virtual callers ------------------------------------------------------------------------
    def call(self, from_: str, to: str, audio: str | dict[str, Any] | None = None,
             digits: Digits | None = None,
             hangup_after: float | None = None) -> str:
        """A virtual caller dials ``to`` (routed by that IncomingPhoneNumber's VoiceUrl).

        ``audio``: a WAV path, the caller's voice; ``digits``: ``[{"at": s, "digits": "1#"}]``
        or ``[(s, "1#")]``, seconds after dialling; ``hangup_after``: seconds.  The voice URL
        is requested at the next ``advance``.  Returns the CallSid."""
        from .engine.voice import inbound

        script = [d if isinstance(d, dict) else {"at": d[0], "digits": d[1]}
                  for d in (digits or [])]
        with self.engine.transaction():
            call = inbound.inbound_call(self.engine, self.account_sid, from_, to, audio=audio,
                                      digits=script, hangup_after=hangup_after)
            return str(call.sid)

    def press(self, call_sid: str, digits: str) -> None:
        """The party on ``call_sid`` presses ``digits`` now."""
        with self.engine.transaction():
            calls_engine.press_digits(self.engine, call_sid, str(digits))

    def hangup(self, call_sid: str) -> None:
        """The party on ``call_sid`` hangs up now."""
        with self.engine.transaction():
            calls_engine.hangup(self.engine, call_sid, by="caller")

    # -- audio -----------------------------------------------------------------------------------
    def call_audio(self, call_sid: str) -> bytes:
        """What ``call_sid`` heard, from its answer to its end (to now if it is still up), as
        8 kHz 16-bit mono WAV bytes.  Unknown call: ``errors.NotFound``."""
        from .engine import media_render
        from .errors import NotFound

        with self.engine.transaction() as db:
            call = db.get(models.Call, call_sid)
            if call is None:
                raise NotFound(f"/_emulator/calls/{call_sid}/audio.wav")
            live = call.answered_at is not None and call.end_time is None
            return media_render.call_audio_wav(db, self.config, call_sid,
                                               end=self.clock.now() if live else None)

    def recording_audio(self, recording_sid: str, fmt: str = "wav", channels: int = 1) -> bytes:
        """A completed recording's media, as the Recordings API serves it (``fmt`` wav or
        mp3; ``channels=2`` for the dual file of a dual recording)."""
        from .engine import recording
        from .errors import NotFound

        with self.engine.transaction() as db:
            rec = db.get(models.Recording, recording_sid)
            if rec is None or rec.deleted or rec.status != "completed" or not rec.wav:
                raise NotFound(f"/Recordings/{recording_sid}.{fmt}")
            # Dual only of a dual recording, and no 16113 warning: this is not the REST API.
            return bytes(recording.media(self.engine, rec, fmt,
                                         want_dual=channels == 2 and rec.channels == 2))

    # -- webhooks ------------------------------------------------------------------------------
    def deliver_webhooks_to(self, wsgi_app: Any, host: str | None = None) -> WsgiTransport:
        """Send webhooks straight into ``wsgi_app`` (all of them, or those for ``host``)."""
        transport = WsgiTransport(wsgi_app)
        if host is None:
            self.router.route_all(transport)
        else:
            self.router.route(host, transport)
        return transport

    def replay_webhooks(self, ids: list[int], url: str | None = None) -> list[dict[str, Any]]:
        """Re-send journal entries now, re-signed (for ``url`` if given); each is journaled
        as kind ``replay``. Returns the new journal entries."""
        new_ids = self.engine.replay(ids, url)
        wanted = set(new_ids)
        return [e for e in self.webhooks.all(kind="replay") if e["id"] in wanted]

    def alerts(self) -> list[dict[str, Any]]:
        """Debugger notifications (11xxx webhook failures, 13xxx TwiML errors, ...), in order."""
        from .store.models import Alert

        with self.engine.transaction() as db:
            return [r.to_dict() for r in db.query(Alert).order_by(Alert.id)]

    @property
    def webhooks(self) -> Journal:
        """The journal of every request the emulator sent, in order."""
        return Journal(self)

    # -- clients -------------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """A twilio-python ``Client`` for the default account, wired to this emulator in-process."""
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self, account_sid: str | None = None, auth_token: str | None = None) -> Any:
        """A twilio-python ``Client`` for another account (or API key), wired in-process."""
        from .client import in_process_client

        return in_process_client(self, account_sid or self.account_sid,
                                 auth_token or self.auth_token)
