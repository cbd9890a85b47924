"""SQLModel mappings of the member registry (schema from migration 0003)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


class Member(SQLModel, table=True):
    """党员: a party member's record."""

    __tablename__ = "member"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID
    user_id: uuid.UUID | None = None
    name: str
    name_pinyin: str = ""
    name_initials: str = ""
    gender: str
    ethnicity: str | None = None
    birth_date: date
    id_number_enc: bytes = Field(sa_type=LargeBinary)
    id_number_bidx: bytes = Field(sa_type=LargeBinary)
    id_number_masked: str
    phone_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    phone_bidx: bytes | None = Field(default=None, sa_type=LargeBinary)
    phone_masked: str | None = None
    education: str | None = None
    work_unit: str | None = None
    post: str | None = None
    status: str
    status_reason: str | None = None
    admitted_on: date
    full_member_on: date | None = None
    member_class: str = "ordinary"
    mobile: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    tags: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    created_at: datetime = _now()
    updated_at: datetime = _now()
    version: int = 1


class MemberIdentity(SQLModel, table=True):
    """The platform-wide directory that keeps one record per 身份证号."""

    __tablename__ = "member_identity"
    id_number_bidx: bytes = Field(sa_type=LargeBinary, primary_key=True)
    tenant_id: uuid.UUID
    member_id: uuid.UUID


class MemberHistory(SQLModel, table=True):
    """One version of a member record: who changed what, when."""

    __tablename__ = "member_history"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    version: int
    changed_at: datetime = _now()
    changed_by: uuid.UUID | None = None
    changed_by_name: str | None = None
    action: str
    changes: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
