"""``Emulator``: one emulated Twilio, in-process; the object the CLI, the pytest plugin and the
server are built from.

    emu = Emulator()                      # manual clock, in-memory SQLite, seed 0
    client = emu.client                   # twilio-python, wired with no socket
    client.conferences("Room").participants.create(from_="+15550001111", to="+15550002222")
    emu.advance(5)                        # deliver everything due in the next 5 virtual seconds
    emu.webhooks.assert_events([...])
"""

import os
import threading

from sqlalchemy import delete

from .config import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, EmulatorConfig
from .engine import accounts as accounts_engine
from .engine import calls as calls_engine
from .engine.clock import VirtualClock
from .engine import twiml_state
from .engine.core import Engine
from .sids import SidFactory
from .store import models
from .store.db import open_store
from .store.inflight import IN_FLIGHT_TABLES
from .webhooks.transport import HttpTransport, Router, WsgiTransport

# Importing the purpose modules registers what each kind of call leg does.
from .engine import conference as _conference  # noqa: F401,E402
from .engine import voice as _voice  # noqa: F401,E402

STATE_TABLES = (models.Participant, models.Conference, models.Call, models.IncomingPhoneNumber,
                models.Recording, models.VirtualPhone, models.JournalEntry, models.Alert,
                models.MediaEventRow)


def alert_dict(r):
    return {"id": r.id, "time": r.time, "code": r.code, "level": r.level, "message": r.message,
            "call_sid": r.call_sid, "conference_sid": r.conference_sid, "url": r.url}


def stored_sids(db):
    """Every SID a store already holds, by prefix (empty for a fresh store)."""
    tables = {"AC": models.Account, "SK": models.ApiKey, "CF": models.Conference,
              "CA": models.Call, "PN": models.IncomingPhoneNumber, "RE": models.Recording}
    return {prefix: [sid for (sid,) in db.query(model.sid)] for prefix, model in tables.items()}


class Emulator:
    def __init__(self, db_url="sqlite://", clock="manual", speed=1.0, seed=0,
                 account_sid=None, auth_token=None, config=None, epoch=None):
        self.config = config or EmulatorConfig()
        self.account_sid = (account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
                            or DEFAULT_ACCOUNT_SID)
        self.auth_token = (auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
                           or DEFAULT_AUTH_TOKEN)
        self.seed = seed
        self.epoch = epoch
        self.sids = SidFactory(seed)
        self.clock = VirtualClock(clock, epoch=epoch, speed=speed)
        self.router = Router(self.config, default=HttpTransport(self.config))
        self.engine = Engine(self.config, open_store(db_url), self.clock, self.sids, self.router)
        with self.engine.transaction() as db:
            self.sids.resume(stored_sids(db))
            accounts_engine.ensure_account(db, self.account_sid, self.auth_token,
                                           self.clock.now())
        from .engine import actions

        actions.restore(self.engine)  # a previous process's clock, actions and requests
        from .app import create_app

        self.app = create_app(self)
        self._client = None
        self._runner = None
        self._stop = threading.Event()

    # -- the clock -------------------------------------------------------------------------
    def advance(self, seconds=0.0):
        """Run everything due in the next ``seconds`` of virtual time (0: what is due now)."""
        self.engine.advance(float(seconds))
        return self.clock.now()

    def now(self):
        return self.clock.now()

    def start_realtime(self, tick=0.02):
        """Realtime mode: a runner thread follows the wall clock times ``speed``."""
        if self.clock.mode != "realtime" or self._runner is not None:
            return

        def run():
            while not self._stop.is_set():
                self.engine.run_until(self.clock.realtime_target())
                self.engine.wait_for_work(tick)

        self._runner = threading.Thread(target=run, name="twilio-emulator-clock", daemon=True)
        self._runner.start()

    def stop(self):
        self._stop.set()
        if self._runner is not None:
            self._runner.join(timeout=5)
            self._runner = None
        self.router.close()

    # -- state ---------------------------------------------------------------------------------
    def reset(self):
        """Drop all state but accounts and config; SIDs and the clock start over."""
        eng = self.engine
        with eng.run_lock, eng.transaction() as db:
            for table in STATE_TABLES + IN_FLIGHT_TABLES:
                db.execute(delete(table))
            db.expunge_all()
            eng.forget_rows()
            eng.scheduler.clear()
            eng._outbox.clear()
            eng._later.clear()
            eng._later_actions.clear()
            twiml_state.forget(eng)
            # Accounts and keys survive a reset, so their SIDs keep counting.
            self.sids.reset(keep=("AC", "SK", "SS", "TK"))
            self.clock.reset(self.epoch if self.clock.mode == "manual" else None)

    def create_account(self, sid=None, auth_token=None, friendly_name=None):
        """A fresh, isolated account (for parallel test workers)."""
        sid = sid or self.sids.new("AC")
        token = auth_token or self.sids.new("TK")[2:]
        with self.engine.transaction() as db:
            accounts_engine.ensure_account(db, sid, token, self.clock.now(), friendly_name)
        return sid, token

    def create_api_key(self, account_sid=None, secret=None):
        sid = self.sids.new("SK")
        secret = secret or self.sids.new("SS")[2:]
        with self.engine.transaction() as db:
            accounts_engine.add_api_key(db, sid, secret, account_sid or self.account_sid)
        return sid, secret

    def phone(self, number, account_sid=None, **behaviour):
        """How ``number`` behaves when the emulator dials it: ``outcome`` (answer, busy,
        no-answer, failed), ``answer_after``, ``audio`` (a WAV path), ``hangup_after``,
        ``digits`` ([{"at": s, "digits": "1#"}])."""
        with self.engine.transaction() as db:
            return calls_engine.set_phone(db, number, dict(behaviour), account_sid)

    # -- virtual callers ------------------------------------------------------------------------
    def call(self, from_, to, audio=None, digits=None, hangup_after=None):
        """A virtual caller dials ``to`` (routed by that IncomingPhoneNumber's VoiceUrl).

        ``audio``: a WAV path, the caller's voice; ``digits``: ``[{"at": s, "digits": "1#"}]``
        or ``[(s, "1#")]``, seconds after dialling; ``hangup_after``: seconds.  The voice URL
        is requested at the next ``advance``.  Returns the CallSid."""
        from .engine import voice

        script = [d if isinstance(d, dict) else {"at": d[0], "digits": d[1]}
                  for d in (digits or [])]
        with self.engine.transaction():
            call = voice.inbound_call(self.engine, self.account_sid, from_, to, audio=audio,
                                      digits=script, hangup_after=hangup_after)
            return call.sid

    def press(self, call_sid, digits):
        """The party on ``call_sid`` presses ``digits`` now."""
        with self.engine.transaction():
            calls_engine.press_digits(self.engine, call_sid, str(digits))

    def hangup(self, call_sid):
        """The party on ``call_sid`` hangs up now."""
        with self.engine.transaction():
            calls_engine.hangup(self.engine, call_sid, by="caller")

    # -- audio -----------------------------------------------------------------------------------
    def call_audio(self, call_sid):
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

    def recording_audio(self, recording_sid, fmt="wav", channels=1):
        """A completed recording's media, as the Recordings API serves it (``fmt`` wav or
        mp3; ``channels=2`` for the dual file of a dual recording)."""
        from .engine import media_render
        from .errors import NotFound

        with self.engine.transaction() as db:
            rec = db.get(models.Recording, recording_sid)
            if rec is None or rec.deleted or rec.status != "completed" or not rec.wav:
                raise NotFound(f"/Recordings/{recording_sid}.{fmt}")
            if channels == 2 and rec.channels == 2:
                x = media_render.render_recording(db, self.config, rec, channels=2)
            else:
                x = media_render.decode_wav(rec.wav)
                if fmt == "wav":
                    return rec.wav
        if fmt == "mp3":
            return media_render.mp3_bytes(x, self.config)
        return media_render.wav_bytes(x, self.config)

    # -- webhooks ------------------------------------------------------------------------------
    def deliver_webhooks_to(self, wsgi_app, host=None):
        """Send webhooks straight into ``wsgi_app`` (all of them, or those for ``host``)."""
        transport = WsgiTransport(wsgi_app)
        if host is None:
            self.router.route_all(transport)
        else:
            self.router.route(host, transport)
        return transport

    def replay_webhooks(self, ids, url=None):
        """Re-send journal entries now, re-signed (for ``url`` if given); each is journaled
        as kind ``replay``. Returns the new journal entries."""
        new_ids = self.engine.replay(ids, url)
        wanted = set(new_ids)
        return [e for e in self.webhooks.all(kind="replay") if e["id"] in wanted]

    def alerts(self):
        """Debugger notifications (11xxx webhook failures, 13xxx TwiML errors, ...), in order."""
        from .store.models import Alert

        with self.engine.transaction() as db:
            return [alert_dict(r) for r in db.query(Alert).order_by(Alert.id)]

    @property
    def webhooks(self):
        from .journal import Journal

        return Journal(self)

    # -- clients -------------------------------------------------------------------------------
    @property
    def client(self):
        """A twilio-python ``Client`` for the default account, wired to this emulator in-process."""
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self, account_sid=None, auth_token=None):
        from .client import in_process_client

        return in_process_client(self, account_sid or self.account_sid,
                                 auth_token or self.auth_token)
