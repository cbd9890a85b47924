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
    possible_from: Annotated[date | None, Meta(description="下一步骤最早可办理日期")]
    due_by: Annotated[date | None, Meta(description="下一步骤最迟应办理日期")]
    overdue: Annotated[bool, Meta(description="下一步骤已逾期（今天已过 due_by）")]
    notice_ends_on: Annotated[date | None, Meta(description="最近一次公示的截止日期")]
    member_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


DocumentKind = Literal[
    "application_letter",
    "talk_record",
    "recommendation",
    "filing_record",
    "review_record",
    "political_vetting",
    "training_certificate",
    "committee_opinion",
    "pre_review_opinion",
    "application_form",
    "meeting_minutes",
    "interview_record",
    "approval",
    "oath_record",
    "full_membership_application",
    "archive_list",
]
DecisionName = Literal["done", "approved", "rejected", "extend", "revoke"]
Count = Annotated[int, Meta(ge=0, le=100_000)]


class DocumentIn(Strict):
    """材料: which document of the step, and the evidence upload that holds it."""

    kind: DocumentKind
    evidence_id: Annotated[uuid.UUID, Meta(description="已确认上传的佐证材料")]


class VoteIn(Strict):
    """无记名投票的票数；是否通过由系统计算（赞成票超过应到会有表决权的正式党员的半数）。"""

    entitled: Annotated[int, Meta(ge=0, le=100_000, description="应到会有表决权的正式党员")]
    present: Annotated[int, Meta(ge=0, le=100_000, description="实到会有表决权的正式党员")]
    yes: Count
    no: Count
    abstain: Count


class NoticeIn(Strict):
    """公示的起止日期（含首尾）。"""

    starts_on: date
    ends_on: date


class StepIn(Strict):
    """登记一个发展步骤 One step of the file: when, what was decided, on what."""

    occurred_on: Annotated[date, Meta(examples=["2026-03-02"], description="办理日期")]
    decision: Annotated[
        DecisionName | None,
        Meta(description="决定；多数步骤只登记办结（done）；表决步骤的结果由票数计算"),
    ] = None
    documents: Annotated[list[DocumentIn], Meta(max_length=20)] = []
    meeting_id: Annotated[
        uuid.UUID | None, Meta(description="会议（支委会或支部党员大会的活动记录）")
    ] = None
    vote: VoteIn | None = None
    mentors: Annotated[
        list[uuid.UUID], Meta(max_length=5, description="培养联系人（正式党员）")
    ] = []
    sponsors: Annotated[
        list[uuid.UUID], Meta(max_length=5, description="入党介绍人（正式党员）")
    ] = []
    notice: NoticeIn | None = None
    training_days: Annotated[int, Meta(ge=0, le=365)] | None = None
    training_hours: Annotated[int, Meta(ge=0, le=10_000)] | None = None
    leaving_unit_soon: Annotated[bool, Meta(description="三个月内将离开工作单位")] = False
    special_circumstances: Annotated[bool, Meta(description="特殊情况（审批可延至六个月）")] = False
    extension_months: Annotated[int, Meta(ge=0, le=24)] | None = None
    opinion: Annotated[str, Meta(max_length=2000)] | None = None


STEP_IN_EXAMPLE = {
    "occurred_on": "2026-03-02",
    "documents": [{"kind": "talk_record", "evidence_id": "01936d77-0000-7000-8000-000000000002"}],
    "opinion": "入党动机端正，对党的认识较为全面",
}


class DocumentOut(msgspec.Struct):
    kind: str
    evidence_id: uuid.UUID


class VoteOut(msgspec.Struct):
    entitled: int
    present: int
    yes: int
    no: int
    abstain: int
    quorate: Annotated[bool, Meta(description="到会人数超过应到会人数的半数")]
    passed: Annotated[bool, Meta(description="赞成票超过应到会有表决权的正式党员的半数")]


class StepOut(msgspec.Struct):
    id: uuid.UUID
    applicant_id: uuid.UUID
    step: int
    step_code: str
    step_name: str
    stage: int
    body: Annotated[str, Meta(description="办理主体")]
    occurred_on: date
    decision: DecisionName
    documents: list[DocumentOut]
    meeting_id: uuid.UUID | None
    vote: VoteOut | None
    mentors: list[uuid.UUID]
    sponsors: list[uuid.UUID]
    notice_starts_on: date | None
    notice_ends_on: date | None
    detail: dict[str, int | bool]
    opinion: str | None
    recorded_by: uuid.UUID | None
    recorded_at: datetime


class StepRecordedOut(msgspec.Struct):
    applicant: ApplicantOut
    step: StepOut


class StepInfo(msgspec.Struct):
    number: int
    code: str
    name: str
    stage: int
    stage_name: str
    body: Annotated[str, Meta(description="办理主体")]
    documents: list[str]
    meeting: str | None
    vote: bool
    decisions: list[str]
    mentors: Annotated[list[int] | None, Meta(description="培养联系人人数（最少、最多）")]
    sponsors: Annotated[list[int] | None, Meta(description="入党介绍人人数（最少、最多）")]
    public_notice: bool
    repeatable: bool


class TimeRuleInfo(msgspec.Struct):
    code: str
    bound: Annotated[str, Meta(description="min：至少；max：至多")]
    unit: str
    value: Annotated[int, Meta(description="本租户现行值")]
    default: int
    national: Annotated[int | None, Meta(description="全国规定（null：地方做法）")]


class PipelineOut(msgspec.Struct):
    steps: list[StepInfo]
    time_rules: list[TimeRuleInfo]
