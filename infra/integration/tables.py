"""SQLModel mappings of the integration tables (the schema comes from migrations 0026, 0032)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _tz() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


class ApiClientRow(SQLModel, table=True):
    """A third-party system's registration (接口客户端); it acts through its own service
    account, so audit trails, idempotency keys and jobs name it like a person."""

    __tablename__ = "api_client"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    name: str
    organization_id: uuid.UUID | None = None
    account_id: uuid.UUID
    scopes: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    created_by: uuid.UUID
    created_at: datetime = _now()
    revoked_at: datetime | None = _tz()


class ApiClientSecretRow(SQLModel, table=True):
    """One secret of a client, hashed; `expires_at` is set when a rotation replaces it."""

    __tablename__ = "api_client_secret"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    client_id: uuid.UUID
    secret_hash: str
    created_at: datetime = _now()
    expires_at: datetime | None = _tz()


class WebhookSubscriptionRow(SQLModel, table=True):
    """A client's webhook endpoint (Webhook 订阅) and the event types it wants (0032)."""

    __tablename__ = "webhook_subscription"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    client_id: uuid.UUID
    tenant_path: str
    organization_id: uuid.UUID | None = None  # the client's, when confined to one (0047)
    url: str
    event_types: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    description: str = ""
    enabled: bool = True
    disabled_reason: str | None = None
    disabled_at: datetime | None = _tz()
    failure_streak: int = 0
    failing_since: datetime | None = _tz()
    paused_until: datetime | None = _tz()
    created_at: datetime = _now()
    updated_at: datetime = _now()


class WebhookSecretRow(SQLModel, table=True):
    """A signing secret, sealed; while a rotation's overlap runs two sign every delivery."""

    __tablename__ = "webhook_secret"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    subscription_id: uuid.UUID
    secret: bytes
    created_at: datetime = _now()
    expires_at: datetime | None = _tz()


class WebhookDeliveryRow(SQLModel, table=True):
    """One event for one subscription, in the event's tenant: the body as signed, and
    where its attempts stand (pending, delivered, failed)."""

    __tablename__ = "webhook_delivery"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    subscription_tenant_id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime = Field(sa_type=DateTime(timezone=True))
    body: str
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = _now()
    last_attempt_at: datetime | None = _tz()
    last_status_code: int | None = None
    created_at: datetime = _now()


class WebhookAttemptRow(SQLModel, table=True):
    """One HTTP attempt of a delivery: what the receiver answered and how fast."""

    __tablename__ = "webhook_attempt"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    attempted_at: datetime = Field(sa_type=DateTime(timezone=True))
    status_code: int | None = None
    latency_ms: int
    response_excerpt: str = ""
    error: str | None = None
