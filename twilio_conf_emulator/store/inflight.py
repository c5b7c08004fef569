"""In-flight state in the store, so ``serve`` killed and restarted on the same database carries
on: the virtual clock, every scheduled action (a named record: kind + JSON args, turned back
into a call by ``engine.actions``), and every request queued but not yet sent.

Rows are keyed by ``account_sid`` (None: the server's default world) for worlds per account.
"""

from sqlalchemy import JSON, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class ClockState(Base):
    __tablename__ = "clock_state"
    world: Mapped[str] = mapped_column(String(34), primary_key=True)  # account SID or "default"
    now: Mapped[float] = mapped_column(Float)


class ScheduledAction(Base):
    __tablename__ = "scheduled_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    due: Mapped[float] = mapped_column(Float, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict] = mapped_column(JSON)
    label: Mapped[str] = mapped_column(Text, default="")


class PendingRequest(Base):
    """A request queued and not yet journaled (with the stored handler of its answer)."""

    __tablename__ = "pending_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_sid: Mapped[str | None] = mapped_column(String(34), nullable=True, index=True)
    url: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(8))
    params: Mapped[list] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(32))
    call_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    conference_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    journal_params: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # The stored action that handles the answer (engine.actions.Stored), if any.
    handler: Mapped[str | None] = mapped_column(String(64), nullable=True)
    handler_args: Mapped[dict | None] = mapped_column(JSON, nullable=True)


IN_FLIGHT_TABLES = (ClockState, ScheduledAction, PendingRequest)
