"""SQLModel mappings of the integration tables (the schema comes from migration 0026)."""

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
