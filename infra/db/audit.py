"""The audit trail's table (审计日志): every context's unit of work writes to it.

It belongs to the shared kernel, not to a context, so that the unit of work can record
audit events without knowing any context; tenancy only lists it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    occurred_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )
    actor_id: uuid.UUID | None = None
    actor_name: str | None = None
    action: str
    resource_type: str
    resource_id: str | None = None
    outcome: str
    client_addr: str | None = None
    request_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
