"""Request and response bodies of member development (发展党员) endpoints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

EducationName = Literal[
    "postgraduate",
    "bachelor",
    "junior_college",
    "secondary_vocational",
    "high_school",
    "junior_high_or_below",
]
StatusName = Literal["in_progress", "probationary", "full", "not_admitted", "revoked"]
ShortText = Annotated[str, Meta(max_length=100)]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class ApplicantIn(Strict):
    """入党申请人 A person applying to a branch. Gender and birth date follow from the 身份证号."""

    organization_id: Annotated[uuid.UUID, Meta(description="受理申请的党支部")]
    name: Annotated[str, Meta(max_length=50, examples=["王小明"], description="姓名")]
    id_number: Annotated[
        str,
        Meta(
            max_length=30,
            examples=["11010519491231002X"],
            description="身份证号（18位，GB 11643 校验） Citizen ID number",
        ),
    ]
    phone: Annotated[str, Meta(max_length=20, examples=["13800138000"])] | None = None
    ethnicity: ShortText | None = None
    education: EducationName | None = None
    work_unit: ShortText | None = None
    post: ShortText | None = None


APPLICANT_IN_EXAMPLE = {
    "organization_id": "01936d77-0000-7000-8000-000000000001",
    "name": "王小明",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "ethnicity": "汉族",
    "education": "bachelor",
    "work_unit": "区发展改革局",
}


class ApplicantOut(msgspec.Struct):
    id: uuid.UUID
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str | None
    education: str | None
    work_unit: str | None
    post: str | None
    id_number: Annotated[str, Meta(description="默认脱敏 Masked unless revealed")]
    phone: str | None
    sensitive_revealed: bool
    status: StatusName
    stage: Annotated[int, Meta(description="当前阶段（1–5，下一步骤所在阶段）")]
    stage_name: str
    current_step: Annotated[int, Meta(description="最近办结的步骤（0：尚未登记申请）")]
    next_steps: Annotated[list[int], Meta(description="现在可以登记的步骤")]
    applied_on: date | None
    admitted_on: Annotated[date | None, Meta(description="预备期起算日（支部大会通过之日）")]
    probation_ends_on: date | None
    full_member_on: date | None
    member_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
