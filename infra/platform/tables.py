"""SQLModel mappings of the cross-cutting tables (schema from migration 0002)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _at() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


class Job(SQLModel, table=True):
    """A background job (import, monthly bills, reminders…) with readable progress."""

    __tablename__ = "job"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    kind: str
    status: str = "queued"
    created_by: uuid.UUID
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    input: bytes | None = Field(default=None, sa_type=LargeBinary)
    progress_done: int = 0
    progress_total: int | None = None
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    attempts: int = 0
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )
    started_at: datetime | None = _at()
    heartbeat_at: datetime | None = _at()
    finished_at: datetime | None = _at()
    run_after: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )
    lease_until: datetime | None = _at()


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_key"
    tenant_id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(primary_key=True)
    fingerprint: bytes = Field(sa_type=LargeBinary)
    status_code: int | None = None
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    topic: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    organization_id: uuid.UUID | None = (
        None  # where in the tenant's tree (0047); None: tenant-level
    )
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )
    published_at: datetime | None = _at()
