"""SQLModel mappings of the points tables (the schema comes from migration 0030)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _tz() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


def _json() -> Any:
    return Field(sa_column=Column(JSONB, nullable=False))


class PointRuleVersion(SQLModel, table=True):
    """One version of a tenant's point scheme (积分规则); never changed once written."""

    __tablename__ = "point_rule_version"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    version: int
    effective_from: date
    base_score: int
    period: str
    classes: list[dict[str, Any]] = _json()
    items: list[dict[str, Any]] = _json()
    exclusions: list[dict[str, Any]] = _json()
    created_by: uuid.UUID
    created_at: datetime = _now()


class PointMemberProfile(SQLModel, table=True):
    """A member's class (骨干, 普通 …) and conditions (long illness …) for the rules."""

    __tablename__ = "point_member_profile"
    tenant_id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID = Field(primary_key=True)
    member_class: str | None = None
    conditions: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    updated_by: uuid.UUID
    updated_at: datetime = _now()


class PointEntry(SQLModel, table=True):
    """One line of a member's ledger (积分明细); append-only, corrected by new lines."""

    __tablename__ = "point_entry"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    period: str
    kind: str
    points: int
    rule_version_id: uuid.UUID | None = None
    rule_version: int | None = None
    item_code: str | None = None
    item_points: int | None = None
    item_cap: int | None = None
    cause_type: str
    cause_id: uuid.UUID
    event_id: uuid.UUID | None = None
    created_at: datetime = _now()


class PointBalance(SQLModel, table=True):
    """A member's points in one period, kept equal to the sum of their entries."""

    __tablename__ = "point_balance"
    tenant_id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID = Field(primary_key=True)
    period: str = Field(primary_key=True)
    points: int = 0
    entries: int = 0
    updated_at: datetime = _now()


class PointAward(SQLModel, table=True):
    """A manual award or deduction (人工奖扣), proposed by a branch, decided one level up."""

    __tablename__ = "point_award"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    points: int
    category: str | None = None
    reason: str
    evidence_ids: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(UUID(as_uuid=True)), nullable=False)
    )
    status: str
    proposed_by: uuid.UUID
    proposed_at: datetime = _now()
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = _tz()
    decision_reason: str | None = None


class StarRun(SQLModel, table=True):
    """A rating run (星级评定) of one tenant's members or branches for one period."""

    __tablename__ = "star_run"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    subject: str
    period: str
    scheme: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    status: str
    job_id: uuid.UUID
    publish_at: datetime = Field(sa_type=DateTime(timezone=True))
    stands_at: datetime = Field(sa_type=DateTime(timezone=True))
    rated: int = 0
    distribution: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    created_by: uuid.UUID
    created_at: datetime = _now()


class StarRating(SQLModel, table=True):
    """One member's or branch's stars for a period, with the score breakdown behind them."""

    __tablename__ = "star_rating"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    run_id: uuid.UUID
    subject: str
    subject_id: uuid.UUID
    organization_id: uuid.UUID
    period: str
    score: Decimal
    drafted_stars: int
    stars: int
    rank: int
    previous_stars: int | None = None
    breakdown: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    publish_at: datetime = Field(sa_type=DateTime(timezone=True))
    stands_at: datetime = Field(sa_type=DateTime(timezone=True))


class StarAppeal(SQLModel, table=True):
    """A member's appeal against a draft rating (申诉), decided by the branch."""

    __tablename__ = "star_appeal"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    rating_id: uuid.UUID
    reason: str
    filed_by: uuid.UUID
    filed_at: datetime = _now()
    status: str
    stars_before: int
    stars_after: int | None = None
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = _tz()
    decision_reason: str | None = None


class StarScore(SQLModel, table=True):
    """A manual item of a branch's rating, scored by the next level up (上级评分)."""

    __tablename__ = "star_score"
    tenant_id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID = Field(primary_key=True)
    period: str = Field(primary_key=True)
    indicator: str = Field(primary_key=True)
    score: Decimal
    reason: str
    scored_by: uuid.UUID
    scored_at: datetime = _now()


class StarSchemeVersion(SQLModel, table=True):
    """One version of a tenant's star scheme for members or branches; never changed."""

    __tablename__ = "star_scheme"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    subject: str
    version: int
    scheme: dict[str, Any] = _json()
    created_by: uuid.UUID
    created_at: datetime = _now()
