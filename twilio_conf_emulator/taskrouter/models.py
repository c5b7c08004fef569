"""TaskRouter's tables. Settings Twilio shows but nothing queries live in JSON ``data``."""

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..store.models import Base


class _Row:
    if TYPE_CHECKING:  # the keyword constructor every table gets from Base
        def __init__(self, **fields: Any) -> None: ...

    sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    account_sid: Mapped[str] = mapped_column(String(34), index=True)
    friendly_name: Mapped[str] = mapped_column(String(256), default="")
    date_created: Mapped[float] = mapped_column(Float)
    date_updated: Mapped[float] = mapped_column(Float)
    seq: Mapped[int] = mapped_column(Integer, default=0)  # creation order, for lists
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class Workspace(_Row, Base):
    __tablename__ = "tr_workspaces"


class Activity(_Row, Base):
    __tablename__ = "tr_activities"
    workspace_sid: Mapped[str] = mapped_column(String(34), index=True)
    available: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskQueue(_Row, Base):
    __tablename__ = "tr_task_queues"
    workspace_sid: Mapped[str] = mapped_column(String(34), index=True)


class Workflow(_Row, Base):
    __tablename__ = "tr_workflows"
    workspace_sid: Mapped[str] = mapped_column(String(34), index=True)


class Worker(_Row, Base):
    __tablename__ = "tr_workers"
    workspace_sid: Mapped[str] = mapped_column(String(34), index=True)
    activity_sid: Mapped[str] = mapped_column(String(34))
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    date_status_changed: Mapped[float] = mapped_column(Float)
    # Virtual time the worker last finished a task or became available: longest idle first.
    idle_since: Mapped[float] = mapped_column(Float, default=0.0)


class Task(_Row, Base):
    __tablename__ = "tr_tasks"
    workspace_sid: Mapped[str] = mapped_column(String(34), index=True)
    assignment_status: Mapped[str] = mapped_column(String(16), default="pending")
    task_queue_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    workflow_sid: Mapped[str | None] = mapped_column(String(34), nullable=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)


class Reservation(_Row, Base):
    __tablename__ = "tr_reservations"
    workspace_sid: Mapped[str] = mapped_column(String(34), index=True)
    task_sid: Mapped[str] = mapped_column(String(34), index=True)
    worker_sid: Mapped[str] = mapped_column(String(34), index=True)
    reservation_status: Mapped[str] = mapped_column(String(16), default="pending")

