"""SQLModel mappings of member development (schema from migrations 0034, 0045 and 0056)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


class Applicant(SQLModel, table=True):
    """入党申请人: a person in the pipeline, with the personal data of a member record.

    `status`, `current_step`, `stage` and the dates are a cache of the recorded steps
    (`domain.development.replay`), kept for lists and queues.
    """

    __tablename__ = "applicant"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID
    name: str
    gender: str
    birth_date: date
    ethnicity: str | None = None
    education: str | None = None
    work_unit: str | None = None
    post: str | None = None
    id_number_enc: bytes = Field(sa_type=LargeBinary)
    id_number_bidx: bytes = Field(sa_type=LargeBinary)
    id_number_masked: str
    phone_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    phone_bidx: bytes | None = Field(default=None, sa_type=LargeBinary)
    phone_masked: str | None = None
    status: str = "in_progress"
    current_step: int = 0
    stage: int = 1
    applied_on: date | None = None
    admitted_on: date | None = None
    probation_ends_on: date | None = None
    full_member_on: date | None = None
    possible_from: date | None = None
    """The next step is refused before this day (`domain.development.next_dates`)."""
    due_by: date | None = None
    """The next step is overdue after this day."""
    notice_ends_on: date | None = None
    member_id: uuid.UUID | None = None
    created_at: datetime = _now()
    updated_at: datetime = _now()
    version: int = 1


class ApplicantStep(SQLModel, table=True):
    """One recorded step of an applicant's file: who, when, what was decided, on what."""

    __tablename__ = "applicant_step"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    applicant_id: uuid.UUID
    step: int
    occurred_on: date
    decision: str
    documents: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    meeting_id: uuid.UUID | None = None
    vote: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    mentors: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(UUID(as_uuid=True)), nullable=False)
    )
    sponsors: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(UUID(as_uuid=True)), nullable=False)
    )
    notice_starts_on: date | None = None
    notice_ends_on: date | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    opinion: str | None = None
    recorded_by: uuid.UUID | None = None
    recorded_at: datetime = _now()


class ApplicantForm(SQLModel, table=True):
    """A standard form of the file (入党志愿书, 政审结论, 培养考察记录) with its scans."""

    __tablename__ = "applicant_form"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    applicant_id: uuid.UUID
    kind: str
    fields: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    scans: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(UUID(as_uuid=True)), nullable=False)
    )
    recorded_by: uuid.UUID | None = None
    recorded_at: datetime = _now()


class ApplicantReminder(SQLModel, table=True):
    """A deadline reminder sent for a file's next step: one per step, deadline and kind."""

    __tablename__ = "applicant_reminder"
    tenant_id: uuid.UUID = Field(primary_key=True)
    applicant_id: uuid.UUID = Field(primary_key=True)
    step: int = Field(primary_key=True)
    due_by: date = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    sent_at: datetime = _now()


class ApplicantArchive(SQLModel, table=True):
    """An archive of the file (step 25), in the file's tenant whoever queued it; its id is
    its job's, and its job keeps status, progress and the zip's particulars up to date."""

    __tablename__ = "applicant_archive"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    applicant_id: uuid.UUID
    status: str = "queued"
    progress_done: int = 0
    progress_total: int | None = None
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    created_by: uuid.UUID
    created_at: datetime = _now()
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
