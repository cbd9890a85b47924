"""SQLModel mappings of the foundation tables (the schema itself comes from migrations)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, LargeBinary, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel

from infra.db.types import Ltree


def _tz() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


class Tenant(SQLModel, table=True):
    """机关工委 / 租户: the unit of isolation."""

    __tablename__ = "tenant"
    id: uuid.UUID = Field(primary_key=True)
    parent_id: uuid.UUID | None = None
    level: str
    code: str
    name: str
    path: str = Field(sa_type=Ltree)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime = _now()
    updated_at: datetime = _now()
    version: int = 1


class Organization(SQLModel, table=True):
    """党组织: a node of the party-organization tree inside a tenant."""

    __tablename__ = "organization"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    parent_id: uuid.UUID | None = None
    kind: str
    name: str
    path: str = Field(sa_type=Ltree)
    established_on: date | None = None
    end_date: date | None = None
    term_start: date | None = None
    term_end: date | None = None
    approval_authority: bool = False
    """审批权限: a 基层党委 that approves admissions and 转正 (set by a tenant administrator)."""
    created_at: datetime = _now()
    updated_at: datetime = _now()
    version: int = 1


class CommitteePost(SQLModel, table=True):
    """支部委员会 posts: 书记, 副书记, 组织委员, 宣传委员, 纪检委员."""

    __tablename__ = "committee_post"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID
    post: str
    holder_name: str
    user_id: uuid.UUID | None = None
    term_start: date
    term_end: date | None = None
    created_at: datetime = _now()


class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    username: str
    # Phone (手机号) encrypted like members': ciphertext, blind index for login, masked copy.
    phone_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    phone_bidx: bytes | None = Field(default=None, sa_type=LargeBinary)
    phone_masked: str | None = None
    display_name: str
    password_hash: str
    password_change_required: bool = False
    is_active: bool = True
    failed_logins: int = 0
    last_failed_login_at: datetime | None = _tz()
    locked_until: datetime | None = _tz()
    last_login_at: datetime | None = _tz()
    created_at: datetime = _now()
    updated_at: datetime = _now()
    version: int = 1

    @property
    def phone(self) -> str | None:
        """What responses show of the phone: the masked copy."""
        return self.phone_masked


class LoginIdentity(SQLModel, table=True):
    __tablename__ = "login_identity"
    identifier: str = Field(primary_key=True)
    tenant_id: uuid.UUID
    user_id: uuid.UUID


class RefreshTokenRow(SQLModel, table=True):
    __tablename__ = "refresh_token"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID
    family_id: uuid.UUID
    token_hash: bytes = Field(sa_type=LargeBinary)
    issued_at: datetime = Field(sa_type=DateTime(timezone=True))
    idle_expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    absolute_expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = _tz()
    revoked_at: datetime | None = _tz()
    mfa_at: datetime | None = _tz()


class CustomRole(SQLModel, table=True):
    __tablename__ = "custom_role"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    name: str
    display_name: str
    permissions: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    created_at: datetime = _now()
    updated_at: datetime = _now()
    version: int = 1


class RoleAssignment(SQLModel, table=True):
    __tablename__ = "role_assignment"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID
    role: str
    domain: str
    scope_tenant_id: uuid.UUID
    organization_id: uuid.UUID | None = None
    granted_by: uuid.UUID | None = None
    created_at: datetime = _now()


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    occurred_at: datetime = _now()
    actor_id: uuid.UUID | None = None
    actor_name: str | None = None
    action: str
    resource_type: str
    resource_id: str | None = None
    outcome: str
    client_addr: str | None = None
    request_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))


class UserMfa(SQLModel, table=True):
    """An account's TOTP factor (动态验证码): encrypted secret, keyed hashes of recovery codes."""

    __tablename__ = "user_mfa"
    tenant_id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(primary_key=True)
    secret_ciphertext: bytes = Field(sa_type=LargeBinary)
    confirmed_at: datetime | None = _tz()
    last_used_step: int | None = Field(default=None, sa_type=BigInteger)
    failed_attempts: int = 0
    locked_until: datetime | None = _tz()
    recovery_code_hashes: list[bytes] = Field(
        default_factory=list, sa_column=Column(ARRAY(LargeBinary), nullable=False)
    )
    created_at: datetime = _now()
    updated_at: datetime = _now()
