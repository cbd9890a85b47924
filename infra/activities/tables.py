"""SQLModel mappings of the activity tables (schema from migration 0004)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _tz() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


class Activity(SQLModel, table=True):
    """党组织活动: 三会一课, 主题党日, 组织生活会 and the rest; organizer is `organization_id`."""

    __tablename__ = "activity"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID
    kind: str
    title: str
    agenda: str | None = None
    starts_at: datetime = Field(sa_type=DateTime(timezone=True))
    ends_at: datetime = Field(sa_type=DateTime(timezone=True))
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: int | None = None
    qr_required: bool = True
    geofence_enabled: bool = False
    window_minutes: int | None = None
    status: str = "planned"
    cancel_reason: str | None = None
    started_at: datetime | None = _tz()
    finished_at: datetime | None = _tz()
    created_by: uuid.UUID | None = None
    created_at: datetime = _now()
    updated_at: datetime = _now()
    version: int = 1


class ActivityOrganization(SQLModel, table=True):
    """An organization an activity counts for (联学联建 lists several); one is the organizer."""

    __tablename__ = "activity_organization"
    tenant_id: uuid.UUID = Field(primary_key=True)
    activity_id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID = Field(primary_key=True)
    is_organizer: bool = False


class ActivityAttendee(SQLModel, table=True):
    """应到人员: one expected attendee, with the member facts quorum needs."""

    __tablename__ = "activity_attendee"
    tenant_id: uuid.UUID = Field(primary_key=True)
    activity_id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID
    member_status: str
    is_committee_member: bool = False
    source: str = "roster"
    added_at: datetime = _now()


class Checkin(SQLModel, table=True):
    """签到: one accepted check-in per member per activity."""

    __tablename__ = "checkin"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    activity_id: uuid.UUID
    member_id: uuid.UUID
    source: str
    occurred_at: datetime = Field(sa_type=DateTime(timezone=True))
    recorded_at: datetime = _now()
    recorded_by: uuid.UUID
    client_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    distance_m: float | None = None


class LeaveRequestRow(SQLModel, table=True):
    """请假: a member's request to be excused, decided by the secretary."""

    __tablename__ = "leave_request"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    activity_id: uuid.UUID
    member_id: uuid.UUID
    reason: str
    status: str = "requested"
    requested_at: datetime = _now()
    requested_by: uuid.UUID | None = None
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = _tz()
    decision_note: str | None = None
