"""Request and response bodies of the points endpoints (msgspec: strict and fast)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

Code = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Name = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"\S")]
Points = Annotated[int, Meta(ge=-1000, le=1000)]
SourceName = Literal[
    "attendance",
    "excused_leave",
    "unexcused_absence",
    "evidence_upload",
    "volunteer_hours",
    "manual_award",
]
PeriodName = Literal["yearly", "quarterly", "monthly"]
PERIOD_PATTERN = r"^[12]\d{3}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class MemberClassIn(Strict):
    """党员类别（租户自定）A member class the tenant defines."""

    code: Annotated[Code, Meta(examples=["backbone"])]
    name: Annotated[Name, Meta(examples=["骨干"])]


class RuleItemIn(Strict):
    """积分项 One way to earn or lose points."""

    code: Annotated[Code, Meta(examples=["three_meetings"])]
    name: Annotated[Name, Meta(examples=["参加三会一课"])]
    points: Annotated[Points, Meta(description="分值，扣分为负 Points; negative deducts")]
    source: Annotated[
        SourceName | None,
        Meta(description="来源 What earns it (required; checked with a field message)"),
    ] = None
    activity_kind: (
        Annotated[str, Meta(max_length=40, description="出席的活动类型 Activity kind")] | None
    ) = None
    category: (
        Annotated[str, Meta(max_length=40, description="人工奖扣类别 Manual award category")] | None
    ) = None
    cap_per_period: (
        Annotated[int, Meta(ge=1, le=100_000, description="每期上限 Cap per period")] | None
    ) = None
    classes: Annotated[
        list[str],
        Meta(
            max_length=20,
            examples=[["backbone"]],
            description="适用的党员类别（classes 中的编码）；空为全部 Classes; empty: all",
        ),
    ] = []


class ExclusionIn(Strict):
    """不参与积分的党员 Members who earn nothing (aged 70+, long illness …)."""

    kind: Literal["age_at_least", "condition"]
    years: Annotated[int, Meta(ge=1, le=150)] | None = None
    condition: Annotated[str, Meta(max_length=40, examples=["long_illness"])] | None = None


class RuleSetIn(Strict):
    """积分规则新版本 A new version of a tenant's point scheme."""

    effective_from: Annotated[date, Meta(description="生效日期 Applies from this day")]
    items: Annotated[
        list[RuleItemIn],
        Meta(
            min_length=1,
            max_length=200,
            examples=[
                [
                    {
                        "code": "three_meetings",
                        "name": "参加支部党员大会",
                        "points": 3,
                        "source": "attendance",
                        "activity_kind": "branch_congress",
                        "cap_per_period": 12,
                    }
                ]
            ],
        ),
    ]
    tenant_id: Annotated[
        uuid.UUID | None, Meta(description="默认为本租户 Default: the caller's tenant")
    ] = None
    base_score: Annotated[Points, Meta(description="基础分 Base score")] = 0
    period: PeriodName = "yearly"
    classes: Annotated[
        list[MemberClassIn],
        Meta(max_length=20, examples=[[{"code": "backbone", "name": "骨干"}]]),
    ] = []
    exclusions: Annotated[
        list[ExclusionIn],
        Meta(max_length=20, examples=[[{"kind": "age_at_least", "years": 70}]]),
    ] = []


class RuleItemOut(msgspec.Struct, kw_only=True):
    code: str
    name: str
    points: int
    source: str
    activity_kind: str | None
    category: str | None
    cap_per_period: int | None
    classes: list[str]


class MemberClassOut(msgspec.Struct, kw_only=True):
    code: str
    name: str


class ExclusionOut(msgspec.Struct, kw_only=True):
    kind: str
    years: int | None
    condition: str | None


class RuleSetOut(msgspec.Struct, kw_only=True):
    """积分规则的一个版本 One version of a point scheme (the owning tenant's)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    version: int
    effective_from: date
    base_score: int
    period: str
    classes: list[MemberClassOut]
    items: list[RuleItemOut]
    exclusions: list[ExclusionOut]


class EntryOut(msgspec.Struct, kw_only=True):
    """积分明细 One ledger entry; corrections are new entries."""

    id: uuid.UUID
    member_id: uuid.UUID
    period: str
    kind: Annotated[str, Meta(description="accrual, adjustment, reversal, award, deduction")]
    points: int
    rule_version: int | None
    item_code: str | None
    cause_type: Annotated[
        str,
        Meta(description="checkin, award, evidence, leave, absence or volunteer（起因）"),
    ]
    cause_id: uuid.UUID
    created_at: datetime


class SummaryOut(msgspec.Struct, kw_only=True):
    """积分汇总 A member's points in a period."""

    member_id: uuid.UUID
    period: str
    base_score: int | None
    earned: int
    total: int
    entries: int
    rule_version: int | None


class ProfileIn(Strict):
    """党员的积分类别和排除情形 A member's class and conditions for the rules."""

    member_class: Annotated[Code, Meta(examples=["backbone"])] | None = None
    conditions: Annotated[
        list[str],
        Meta(max_length=10, examples=[["long_illness"]], description="情形，每项 1–40 字"),
    ] = []


class ProfileOut(msgspec.Struct, kw_only=True):
    member_id: uuid.UUID
    member_class: str | None
    conditions: list[str]


class RecomputeIn(Strict):
    tenant_id: Annotated[
        uuid.UUID | None, Meta(description="默认为本租户 Default: the caller's tenant")
    ] = None


class MismatchOut(msgspec.Struct, kw_only=True):
    member_id: uuid.UUID
    period: str
    stored: int
    entries_sum: int


class RecomputeOut(msgspec.Struct, kw_only=True):
    """核对结果：不一致的余额已按明细改正 Balances checked; mismatches were set to their sum."""

    tenant_id: uuid.UUID
    balances: int
    mismatches: list[MismatchOut]


class AwardIn(Strict):
    """提出积分奖扣 Propose an award (positive) or a deduction (negative)."""

    member_id: uuid.UUID
    points: Points
    reason: Annotated[str, Meta(max_length=500, examples=["抗洪抢险表现突出"])]
    category: Annotated[Code, Meta(examples=["volunteer"])] | None = None
    evidence_ids: Annotated[
        list[uuid.UUID],
        Meta(max_length=20, examples=[["01936d77-0000-7000-8000-000000000001"]]),
    ] = []


class DecisionIn(Strict):
    reason: Annotated[str, Meta(max_length=500, examples=["同意"])] | None = None


class AwardOut(msgspec.Struct, kw_only=True):
    """积分奖扣 A manual award or deduction and its decision."""

    id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    points: int
    category: str | None
    reason: str
    evidence_ids: list[uuid.UUID]
    status: Annotated[str, Meta(description="proposed, approved or refused")]
    proposed_by: uuid.UUID
    proposed_at: datetime
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    decision_reason: str | None
