"""Request and response bodies of the star rating endpoints (msgspec: strict and fast)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from api.points.schemas import PERIOD_PATTERN, Code

__all__ = ["PERIOD_PATTERN"]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


Period = Annotated[str, Meta(pattern=PERIOD_PATTERN, examples=["2026"])]
Stars = Annotated[int, Meta(ge=1, le=5)]
Reason = Annotated[str, Meta(max_length=500, examples=["按规定核实后改定"])]


class BandIn(Strict):
    """一档星级 What earns a star count: a minimum score or a share of those rated."""

    stars: Annotated[int, Meta(ge=2, le=5, description="星级（低于各档为一星）")]
    min_score: Annotated[float, Meta(ge=0, le=100_000, description="最低分 Thresholds")] | None = (
        None
    )
    share: Annotated[float, Meta(ge=0, le=100, description="比例（%）Shares")] | None = None


class IndicatorIn(Strict):
    """党支部指标 A branch indicator: measured from records, or scored by the next level."""

    code: Annotated[Code, Meta(examples=["meeting_compliance"])]
    weight: Annotated[float, Meta(gt=0, le=1000, description="分值 Weight")]
    manual: Annotated[bool, Meta(description="上级人工评分 Scored by the next level")] = False


class SchemeIn(Strict):
    """评定方案；缺省时党员按比例（约 10% 五星），党支部按 110 分制分数线（须有创新项目才评五星）"""

    method: Literal["thresholds", "shares"]
    bands: Annotated[
        list[BandIn],
        Meta(min_length=1, max_length=4, examples=[[{"stars": 5, "share": 10}]]),
    ]
    notice_days: Annotated[int, Meta(ge=0, le=30, description="公示天数 Notice days")] = 5
    five_star_requires: Annotated[Code, Meta(examples=["innovation"])] | None = None
    indicators: Annotated[
        list[IndicatorIn],
        Meta(
            max_length=20,
            examples=[[{"code": "meeting_compliance", "weight": 40}]],
            description="党支部评定的指标及分值 Branch indicators and weights",
        ),
    ] = []
    excluded_classes: Annotated[
        list[Code],
        Meta(
            max_length=20,
            examples=[["special"]],
            description="不参评的人员类别（仅党员星级）；积分规则排除的党员（70 岁以上、"
            "长期患病等）和非在册党员一律不参评 Member classes not rated (members only);"
            " members the point rules exclude and members no longer active are never rated",
        ),
    ] = []


class RunIn(Strict):
    """发起星级评定 Rate a tenant's members or branches for a period."""

    subject: Literal["member", "branch"]
    period: Period
    tenant_id: Annotated[
        uuid.UUID | None, Meta(description="默认为本租户 Default: the caller's tenant")
    ] = None
    scheme: (
        Annotated[
            SchemeIn,
            Meta(
                description="缺省为租户保存的方案（/star-schemes），未保存时见 SchemeIn"
                " Default: the tenant's stored scheme, else see SchemeIn",
                examples=[
                    {
                        "method": "thresholds",
                        "bands": [{"stars": 5, "min_score": 90}, {"stars": 4, "min_score": 80}],
                        "notice_days": 5,
                    }
                ],
            ),
        ]
        | None
    ) = None
    publish_at: (
        Annotated[datetime, Meta(description="公示开始时间，默认为评定完成时 Notice begins")] | None
    ) = None


class RunOut(msgspec.Struct, kw_only=True):
    """一次星级评定 A rating run; its job at /jobs/{job_id} shows the progress."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    subject: str
    period: str
    status: Annotated[str, Meta(description="queued or published")]
    job_id: uuid.UUID
    publish_at: datetime
    stands_at: datetime
    rated: int
    distribution: dict[str, int]
    scheme: dict[str, Any]
    created_at: datetime


class StarSchemeIn(Strict):
    """保存评定方案的新版本 Write the next version of a tenant's star scheme."""

    subject: Literal["member", "branch"]
    scheme: Annotated[
        SchemeIn,
        Meta(
            examples=[
                {
                    "method": "shares",
                    "bands": [{"stars": 5, "share": 10}, {"stars": 4, "share": 30}],
                    "notice_days": 5,
                    "excluded_classes": ["special"],
                }
            ]
        ),
    ]
    tenant_id: Annotated[
        uuid.UUID | None, Meta(description="默认为本租户 Default: the caller's tenant")
    ] = None


class StarSchemeOut(msgspec.Struct, kw_only=True):
    """租户的评定方案 The scheme a run of this tenant and subject uses when given none."""

    tenant_id: Annotated[
        uuid.UUID,
        Meta(
            description="保存该方案的租户：本租户或其最近的上级 The tenant holding it: this"
            " one or its nearest ancestor"
        ),
    ]
    subject: str
    version: Annotated[int, Meta(description="版本；0 为内置缺省方案 0: the built-in default")]
    scheme: dict[str, Any]
    created_by: uuid.UUID | None
    created_at: datetime | None


class StarSchemesOut(msgspec.Struct, kw_only=True):
    """党员与党支部的评定方案 The member and the branch scheme in force."""

    member: StarSchemeOut
    branch: StarSchemeOut


class AppealOut(msgspec.Struct, kw_only=True):
    """申诉 An appeal and its decision."""

    id: uuid.UUID
    rating_id: uuid.UUID
    reason: str
    filed_at: datetime
    status: Annotated[str, Meta(description="open, upheld or dismissed")]
    stars_before: int
    stars_after: int | None
    decided_at: datetime | None
    decision_reason: str | None


class RatingOut(msgspec.Struct, kw_only=True):
    """星级 A member's or a branch's stars for a period, with the breakdown behind them."""

    id: uuid.UUID
    run_id: uuid.UUID
    tenant_id: uuid.UUID
    subject: str
    subject_id: uuid.UUID
    organization_id: uuid.UUID
    period: str
    score: float
    stars: int
    drafted_stars: int
    previous_stars: int | None
    movement: Annotated[str, Meta(description="up, down, same or new (against last period)")]
    rank: Annotated[
        int | None,
        Meta(description="名次：仅租户开启排名时对党员给出 Rank; for members only when enabled"),
    ]
    status: Annotated[str, Meta(description="scheduled, draft, appealed or standing")]
    publish_at: datetime
    stands_at: datetime
    breakdown: Annotated[
        dict[str, Any],
        Meta(description="得分构成：党员 base + items；党支部 indicators The score's parts"),
    ]
    appeal: AppealOut | None


class AppealIn(Strict):
    reason: Annotated[str, Meta(max_length=500, examples=["有两次请假未计入"])]


class AppealDecisionIn(Strict):
    """支部对申诉的决定 The branch's decision on an appeal."""

    outcome: Literal["upheld", "dismissed"]
    reason: Reason
    stars: Stars | None = None


class OrgDistributionOut(msgspec.Struct, kw_only=True):
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    stars: Annotated[dict[str, int], Meta(description='"1"–"5" → 人数 Count per star')]


class DistributionOut(msgspec.Struct, kw_only=True):
    """各组织的星级分布（只有人数）Stars per organization: counts only."""

    subject: str
    period: str
    organizations: list[OrgDistributionOut]


class ScoreIn(Strict):
    """上级为党支部人工项评分 The next level scores a branch's manual item."""

    organization_id: uuid.UUID
    period: Period
    indicator: Annotated[Code, Meta(examples=["innovation"])]
    score: Annotated[float, Meta(ge=0, le=1000)]
    reason: Reason


class ScoreOut(msgspec.Struct, kw_only=True):
    organization_id: uuid.UUID
    period: str
    indicator: str
    score: float
    reason: str
    scored_by: uuid.UUID
    scored_at: datetime
