"""SQLAlchemy models: the emulator's state, one table per Twilio resource plus its own books.

Times are virtual epoch seconds (floats); the API layer renders them as RFC 2822.
Settings Twilio keeps but never shows (callback URLs, wait URLs, ...) live in JSON ``options``.
"""

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    auth_token: Mapped[str] = mapped_column(String(64))
    friendly_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    type: Mapped[str] = mapped_column(String(8), default="Full")
    owner_account_sid: Mapped[str] = mapped_column(String(34))
    date_created: Mapped[float] = mapped_column(Float)
    date_updated: Mapped[float] = mapped_column(Float)


class ApiKey(Base):
    __tablename__ = "api_keys"
    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    account_sid: Mapped[str] = mapped_column(String(34), index=True)


class Conference(Base):
    __tablename__ = "conferences"
    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), index=True)
    friendly_name: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), default="init")
    region: Mapped[str] = mapped_column(String(8), default="us1")
    date_created: Mapped[float] = mapped_column(Float)
    date_updated: Mapped[float] = mapped_column(Float)
    reason_conference_ended: Mapped[str | None] = mapped_column(String(64), nullable=True)
    call_sid_ending_conference: Mapped[str | None] = mapped_column(String(34), nullable=True)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Status-callback SequenceNumber of the last event sent.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Settings fixed by the first participant (callbacks, record, trim, max participants).
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="conference", order_by="Participant.id", lazy="selectin"
    )


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conference_sid: Mapped[str] = mapped_column(ForeignKey("conferences.sid"), index=True)
    call_sid: Mapped[str] = mapped_column(String(34), index=True)
    account_sid: Mapped[str] = mapped_column(String(34))
    label: Mapped[str | None] = mapped_column(String(128), nullable=True)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    hold: Mapped[bool] = mapped_column(Boolean, default=False)
    coaching: Mapped[bool] = mapped_column(Boolean, default=False)
    call_sid_to_coach: Mapped[str | None] = mapped_column(String(34), nullable=True)
    start_conference_on_enter: Mapped[bool] = mapped_column(Boolean, default=True)
    end_conference_on_exit: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    date_created: Mapped[float] = mapped_column(Float)
    date_updated: Mapped[float] = mapped_column(Float)
    # Active = connecting to or connected in a conference that is not completed.
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    joined_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    left_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    conference: Mapped[Conference] = relationship(back_populates="participants")


class Call(Base):
    __tablename__ = "calls"
    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), index=True)
    parent_call_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    to: Mapped[str] = mapped_column(String(255))
    from_: Mapped[str] = mapped_column("from", String(255))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    direction: Mapped[str] = mapped_column(String(32))
    start_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    answered_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    date_created: Mapped[float] = mapped_column(Float)
    date_updated: Mapped[float] = mapped_column(Float)
    phone_number_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    caller_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    forwarded_from: Mapped[str | None] = mapped_column(String(64), nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # SequenceNumber of the last call-progress callback sent (-1: none yet).
    callback_seq: Mapped[int] = mapped_column(Integer, default=-1)
    options: Mapped[dict] = mapped_column(JSON, default=dict)


class IncomingPhoneNumber(Base):
    __tablename__ = "incoming_phone_numbers"
    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), index=True)
    phone_number: Mapped[str] = mapped_column(String(32), index=True)
    date_created: Mapped[float] = mapped_column(Float)
    date_updated: Mapped[float] = mapped_column(Float)
    # Every writable field of the resource, keyed by its snake_case name.
    fields: Mapped[dict] = mapped_column(JSON, default=dict)


class Recording(Base):
    __tablename__ = "recordings"
    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), index=True)
    conference_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    call_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    channels: Mapped[int] = mapped_column(Integer, default=1)
    start_time: Mapped[float | None] = mapped_column(Float, nullable=True)
    duration: Mapped[int | None] = mapped_column(Integer, nullable=True)
    date_created: Mapped[float] = mapped_column(Float)
    date_updated: Mapped[float] = mapped_column(Float)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    wav: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    options: Mapped[dict] = mapped_column(JSON, default=dict)


class VirtualPhone(Base):
    """How a number behaves when the emulator dials it (``POST /_emulator/phones``)."""

    __tablename__ = "virtual_phones"
    number: Mapped[str] = mapped_column(String(255), primary_key=True)
    config: Mapped[dict] = mapped_column(JSON, default=dict)


class JournalEntry(Base):
    """One request the emulator sent, and what came back."""

    __tablename__ = "webhook_journal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    # The entry's number in its world's journal (1, 2, ...): the "id" users see, so one
    # world's ids never depend on another's traffic and restart with its reset.
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    time: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    url: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(8))
    params: Mapped[list] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    call_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    conference_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)


class Alert(Base):
    """A debugger notification (11xxx, 12xxx, 13xxx, 16xxx) as Twilio's console would show it."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)  # as JournalEntry.seq
    time: Mapped[float] = mapped_column(Float)
    code: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8), default="error")
    message: Mapped[str] = mapped_column(Text)
    call_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    conference_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)

    def to_dict(self) -> dict:
        """As ``Emulator.alerts()`` and ``GET /_emulator/alerts`` show it."""
        return {"id": self.seq if self.seq is not None else self.id, "time": self.time,
                "code": self.code, "level": self.level,
                "message": self.message, "call_sid": self.call_sid,
                "conference_sid": self.conference_sid, "url": self.url}


class MediaEventRow(Base):
    """The audio timeline the mixer renders (see media.timeline.MediaEvent)."""

    __tablename__ = "media_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    t: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(24))
    call_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    conference_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
