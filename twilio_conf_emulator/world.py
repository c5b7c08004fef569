"""``World``: one account's isolated emulator inside a server (see :class:`Emulator`).

A world owns its virtual clock and scheduler, its SID sequence (scoped by its account SID),
its resources, virtual phones and callers, journal, alerts and config overrides.  Worlds
share only the store (rows carry their account SID), the webhook router and the process.
Advancing one world's clock does not move another's; resetting one leaves the others.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import column, delete, func, or_, select, table

from .engine import actions, bounds
from .engine import calls as calls_engine
from .engine.action_kinds import LATE_KINDS, stored_actions
from .engine.clock import VirtualClock
from .engine.core import Engine
from .engine.late_table import LateTable
from .engine.purposes import LATE_PURPOSES, leg_purposes
from .faces import Digits
from .journal import Journal
from .sids import SidFactory
from .store import models
from .taskrouter import late as taskrouter


def _tr_table(name: str) -> Any:
    """A TaskRouter table as the world uses it (by SID and account), its models not loaded."""
    return table(name, column("sid"), column("account_sid"))


# The tables a world's reset empties (all carry account_sid); children before parents.
WORLD_TABLES = tuple(model.__table__ for model in (
    models.Participant, models.Conference, models.Call, models.IncomingPhoneNumber,
    models.Recording, models.JournalEntry, models.Alert)) + tuple(
    _tr_table(name) for name in taskrouter.WORLD_TABLES)
WORLD_PREFIXES: dict[str, Any] = {
    "CF": models.Conference.__table__, "CA": models.Call.__table__,
    "PN": models.IncomingPhoneNumber.__table__, "RE": models.Recording.__table__,
    **{prefix: _tr_table(name) for prefix, name in taskrouter.SID_PREFIXES.items()}}


def world_sids(db: Any, account_sid: str) -> dict[str, list[str]]:
    """Every SID a world already holds in the store, by prefix (restart on the same file)."""
    return {prefix: list(db.scalars(select(t.c.sid).where(t.c.account_sid == account_sid)))
            for prefix, t in WORLD_PREFIXES.items()}


class World:
    """The emulator surface for one account: clock, phones, callers, journal, audio."""

    def _init_world(self, server: Any, account_sid: str, auth_token: str, config: Any,
                    resume: bool = True) -> None:
        self.server = server
        self.router = server.router
        self.seed, self.epoch = server.seed, server.epoch
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.config = config
        self.clock = VirtualClock(server.clock_mode, epoch=server.epoch, speed=server.speed)
        self.sids = SidFactory(server.seed, scope=account_sid)
        self.engine = Engine(config, server.store, self.clock, self.sids, server.router,
                             # The voice engine's and TaskRouter's parts load on first lookup.
                             purposes=LateTable(leg_purposes(),
                                                {**LATE_PURPOSES, **taskrouter.LATE_PURPOSES}),
                             account_sid=account_sid,
                             actions=LateTable(stored_actions(),
                                               {**LATE_KINDS, **taskrouter.LATE_KINDS}))
        self._client: Any = None
        self._runner: Any = None
        # What calls heard, rendered per conference; used only while its timeline is unchanged.
        self._heard: dict = {}
        if not resume:  # a brand-new store: nothing to carry on from
            return
        with self.engine.transaction() as db:
            self.sids.resume(world_sids(db, account_sid))
            # Journal and alert numbers carry on after what the store holds (a restart).
            for table, attr in ((models.JournalEntry, "journal_seq"), (models.Alert, "alert_seq")):
                last = db.query(func.max(table.seq)).filter(
                    table.account_sid == account_sid).scalar()
                setattr(self.engine, attr, int(last or 0))
        # A previous process's clock, scheduled actions and queued requests for this world.
        actions.restore(self.engine)

    @property
    def app(self) -> Any:
        """The WSGI app of the server this world lives in (the REST path picks the world)."""
        return self.server.app

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
        from .engine.realtime import RealtimeRunner

        self._runner = RealtimeRunner(self.engine, tick).start()

    def stop_realtime(self) -> None:
        if self._runner is not None:
            self._runner.stop()
            self._runner = None

    # -- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """Drop this world's state but its account and config; its SIDs and clock start over.
        Other worlds are untouched."""
        eng, acct = self.engine, self.account_sid
        with eng.run_lock, eng.lock:
            eng.store.commit()  # what other worlds booked is theirs to keep
            calls = select(models.Call.sid).where(models.Call.account_sid == acct)
            confs = select(models.Conference.sid).where(models.Conference.account_sid == acct)
            eng.db.execute(delete(models.MediaEventRow).where(or_(
                models.MediaEventRow.call_sid.in_(calls),
                models.MediaEventRow.conference_sid.in_(confs))),
                execution_options={"synchronize_session": False})
            for world_table in WORLD_TABLES:
                eng.db.execute(delete(world_table).where(world_table.c.account_sid == acct))
            eng.db.execute(delete(models.VirtualPhone).where(
                models.VirtualPhone.number.startswith(calls_engine.phone_key(acct, ""))),
                execution_options={"synchronize_session": False})
            actions.clear(eng)  # its stored clock, actions and requests
            eng.store.commit()
            eng.forget_rows()
            eng.scheduler.clear()
            eng._outbox.clear()
            bounds.restore(eng, (0, 0))  # what other threads deferred goes too
            for memory in eng._memory.values():
                dict.clear(memory)
            eng.generation += 1
            eng.journal_seq = eng.alert_seq = 0
            self.sids.reset()
            self.clock.reset(self.epoch if self.clock.mode == "manual" else None)
        eng.notify()

    def phone(self, number: str, account_sid: str | None = None,
              **behaviour: Any) -> dict[str, Any]:
        """How ``number`` behaves when the emulator dials it: ``outcome`` (answer, busy,
        no-answer, failed), ``answer_after``, ``audio`` (a WAV path), ``hangup_after``,
        ``digits`` ([{"at": s, "digits": "1#"}]); for answering machine detection
        ``answered_by`` (human, machine_start, machine_end_beep, machine_end_silence,
        machine_end_other, fax, unknown) and ``greeting_seconds``."""
        with self.engine.transaction() as db:
            return dict(calls_engine.set_phone(db, number, dict(behaviour),
                                               account_sid or self.account_sid))

    def create_account(self, sid: str | None = None, auth_token: str | None = None,
                       friendly_name: str | None = None) -> tuple[str, str]:
        """A fresh, isolated account with its own world (for parallel test workers)."""
        return self.server.create_account(sid, auth_token, friendly_name)  # type: ignore

    def create_api_key(self, account_sid: str | None = None,
                       secret: str | None = None) -> tuple[str, str]:
        """An API key (``SK...``, secret) of ``account_sid`` (default: this world's)."""
        return self.server.create_api_key(account_sid or self.account_sid, secret)  # type: ignore

    # -- virtual callers ------------------------------------------------------------------------
    def call(self, from_: str, to: str, audio: str | dict[str, Any] | None = None,
             digits: Digits | None = None, hangup_after: float | None = None,
             speech: list[dict[str, Any]] | None = None) -> str:
        """A virtual caller dials ``to`` (routed by that IncomingPhoneNumber's VoiceUrl).

        ``audio``: a WAV path, the caller's voice; ``digits``: ``[{"at": s, "digits": "1#"}]``
        or ``[(s, "1#")]``, seconds after dialling; ``speech``: ``[{"at": s, "text": "..."}]``,
        what it says (a speech <Gather> hears it); ``hangup_after``: seconds.  The voice URL
        is requested at the next ``advance``.  Returns the CallSid."""
        from .engine.voice import inbound

        script = [d if isinstance(d, dict) else {"at": d[0], "digits": d[1]}
                  for d in (digits or [])]
        calls_engine.check_speech(speech)
        with self.engine.transaction():
            call = inbound.inbound_call(self.engine, self.account_sid, from_, to, audio=audio,
                                        digits=script, hangup_after=hangup_after,
                                        speech=speech)
            return str(call.sid)

    def own_call(self, db: Any, call_sid: str) -> Any:
        """This world's call ``call_sid``, or None (another world's calls are not visible)."""
        call = db.get(models.Call, call_sid)
        return call if call is not None and call.account_sid == self.account_sid else None

    def press(self, call_sid: str, digits: str) -> None:
        """The party on ``call_sid`` presses ``digits`` now."""
        with self.engine.transaction() as db:
            self._require_call(db, call_sid)
            calls_engine.press_digits(self.engine, call_sid, str(digits))

    def hangup(self, call_sid: str) -> None:
        """The party on ``call_sid`` hangs up now."""
        with self.engine.transaction() as db:
            self._require_call(db, call_sid)
            calls_engine.hangup(self.engine, call_sid, by="caller")

    def _require_call(self, db: Any, call_sid: str) -> None:
        from .errors import NotFound

        if self.own_call(db, call_sid) is None:
            raise NotFound(f"/_emulator/calls/{call_sid}")

    # -- audio -----------------------------------------------------------------------------------
    def call_audio(self, call_sid: str) -> bytes:
        """What ``call_sid`` heard, from its answer to its end (to now if it is still up), as
        8 kHz 16-bit mono WAV bytes.  Unknown call: ``errors.NotFound``.  The timeline is read
        under the lock; the mixing runs outside it."""
        from .engine import media_render
        from .errors import AudioUnavailable
        from .media.audio import AudioError

        with self.engine.transaction() as db:
            self._require_call(db, call_sid)
            call = db.get(models.Call, call_sid)
            assert call is not None  # _require_call raised otherwise
            live = call.answered_at is not None and call.end_time is None
            now = self.clock.now()
            end = now if live else None
            events = media_render.events_for_call(db, call_sid)
        try:
            return bytes(media_render.call_audio_wav(None, self.config, call_sid, end=end,
                                                     events=events, now=now, cache=self._heard))
        except AudioError as err:
            raise AudioUnavailable(f"The audio of call {call_sid} cannot be rendered: "
                                   f"{err}") from None

    def recording_audio(self, recording_sid: str, fmt: str = "wav", channels: int = 1) -> bytes:
        """A completed recording's media, as the Recordings API serves it (``fmt`` wav or
        mp3; ``channels=2`` for the dual file of a dual recording)."""
        from .engine import recording as recording_engine
        from .errors import NotFound

        with self.engine.transaction() as db:
            rec = db.get(models.Recording, recording_sid)
            if (rec is None or rec.account_sid != self.account_sid or rec.deleted
                    or rec.status != "completed" or not rec.wav):
                raise NotFound(f"/Recordings/{recording_sid}.{fmt}")
            # Dual only of a dual recording, and no 16113 warning: this is not the REST API.
            produce = recording_engine.media(self.engine, rec, fmt,
                                             channels == 2 and rec.channels == 2)
        return bytes(produce())

    # -- webhooks ------------------------------------------------------------------------------
    def deliver_webhooks_to(self, wsgi_app: Any, host: str | None = None) -> Any:
        """Send webhooks straight into ``wsgi_app`` (all of them, or those for ``host``).
        The router is the server's: every world in this process uses it."""
        from .webhooks.transport import WsgiTransport

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
        with self.engine.transaction() as db:
            return [r.to_dict() for r in db.query(models.Alert)
                    .filter(models.Alert.account_sid == self.account_sid)
                    .order_by(models.Alert.id)]

    @property
    def webhooks(self) -> Journal:
        """The journal of every request this world sent, in order."""
        return Journal(self)

    # -- clients -------------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """A twilio-python ``Client`` for this world's account, wired in-process."""
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def make_client(self, account_sid: str | None = None, auth_token: str | None = None) -> Any:
        from .client import in_process_client

        return in_process_client(self.server, account_sid or self.account_sid,
                                 auth_token or self.auth_token)
