"""Bodies of the dues endpoints of arrears, voluntary payments, the monthly close and the
summaries (issue 15 items 7–8). Money is integer fen, rates basis points, months
`YYYY-MM`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.dues.schemas import Month, Strict
from domain.dues import MAX_FEN

ArrearsLevelName = Literal["warning", "flagged"]
MonthStatusName = Literal["open", "closed"]


class ArrearsOut(msgspec.Struct, kw_only=True):
    """欠交党费的党员 A member in arrears."""

    tenant_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: Annotated[
        uuid.UUID, Meta(description="最近欠交月份的党组织 Organization of the latest overdue bill")
    ]
    overdue_months: Annotated[int, Meta(description="已逾期未交的月数 Overdue months")]
    consecutive_months: Annotated[
        int, Meta(description="最长连续逾期月数 Longest run of consecutive overdue months")
    ]
    first_overdue: Month
    last_overdue: Month
    levels: Annotated[
        list[ArrearsLevelName],
        Meta(
            description=(
                "warning：逾期 3 个月及以上；flagged：连续 6 个月未交，由党支部按规定处理"
                "（系统不会自动处理任何人） warning at 3 overdue months; flagged at 6"
                " consecutive, for the branch to decide"
            )
        ),
    ]


class VoluntaryIn(Strict, kw_only=True):
    """记录自愿多交党费 Record a voluntary extra payment."""

    member_id: uuid.UUID
    amount_fen: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[100000])]
    note: (
        Annotated[str, Meta(min_length=1, max_length=500, pattern=r"\S", examples=["特殊党费"])]
        | None
    ) = None


class VoluntaryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: Month
    amount_fen: int
    to_centre: Annotated[
        bool,
        Meta(description="一次 1000 元及以上，全部上缴中央 1000 yuan or more: all to the Centre"),
    ]
    note: str | None
    recorded_by: uuid.UUID
    recorded_at: datetime


class MonthIn(Strict, kw_only=True):
    """开始某月的收缴 Open a dues month."""

    month: Month
    tenant_id: Annotated[
        uuid.UUID | None, Meta(description="租户（默认本租户） Tenant, default one's own")
    ] = None


class MonthOut(msgspec.Struct, kw_only=True):
    """租户的一个党费月份 A tenant's dues month."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    month: Month
    status: MonthStatusName
    opened_bills: Annotated[int, Meta(description="开始时的缴费单数 Bills when opened")]
    opened_due_fen: Annotated[int, Meta(description="开始时的应交总额 Due when opened")]
    opened_by: uuid.UUID
    opened_at: datetime
    closed_bills: int | None
    closed_due_fen: int | None
    closed_collected_fen: Annotated[
        int | None, Meta(description="结账时的实收（最终数） Collected at close: final")
    ]
    closed_open_bills: int | None
    closed_by: uuid.UUID | None
    closed_at: datetime | None


class ReportIn(Strict, kw_only=True):
    """党组织上报本月 An organization reports the month."""

    organization_id: uuid.UUID


class ReportOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    tenant_id: uuid.UUID
    month_id: uuid.UUID
    organization_id: uuid.UUID
    bills: int
    due_fen: int
    collected_fen: int
    deferred_bills: int
    reported_by: uuid.UUID
    reported_at: datetime


class DeferralIn(Strict, kw_only=True):
    """缓交 Defer a bill, with a reason."""

    bill_id: uuid.UUID
    reason: Annotated[
        str, Meta(min_length=1, max_length=500, pattern=r"\S", examples=["外出务工，下月补交"])
    ]


class DeferralOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    tenant_id: uuid.UUID
    bill_id: uuid.UUID
    reason: str
    recorded_by: uuid.UUID
    recorded_at: datetime


class FiguresOut(msgspec.Struct, kw_only=True):
    """应交、实收、收缴率和欠交 What was due and collected."""

    bills: int
    due_fen: Annotated[int, Meta(description="应交（减免后） Due after reliefs")]
    relieved_fen: Annotated[int, Meta(description="减免 Reduced or exempted")]
    collected_fen: Annotated[
        int, Meta(description="实收（台账中的缴费减退款） Collected: payments less refunds")
    ]
    rate_bp: Annotated[
        int | None, Meta(description="收缴率（万分点） Collected ÷ due in basis points")
    ]
    open_bills: Annotated[int, Meta(description="未交清的缴费单 Bills still owing")]


class SummaryMonthOut(FiguresOut, kw_only=True):
    month: Month
    closed: Annotated[bool, Meta(description="该月已结账 The month is closed")]


class RemittanceOut(msgspec.Struct, kw_only=True):
    """省级党委每年上缴中央的 5% Yearly 5% remittance to the Centre."""

    year: int
    collected_fen: Annotated[int, Meta(description="全年实收 Collected in the year")]
    rate_bp: int
    remittance_fen: int
    voluntary_to_centre_fen: Annotated[
        int, Meta(description="一次 1000 元及以上的自愿多交，全部上缴 Voluntary, wholly")
    ]
    due_by: date


class DuesSummaryOut(msgspec.Struct, kw_only=True):
    """党费收缴统计 Dues summary, rolled up over a subtree."""

    tenant_id: uuid.UUID
    organization_id: Annotated[
        uuid.UUID | None,
        Meta(description="按党组织（含下级）统计时 When rolled up per organization"),
    ]
    months: list[SummaryMonthOut]
    total: FiguresOut
    voluntary_fen: Annotated[int, Meta(description="自愿多交 Voluntary payments")]
    remittance: Annotated[RemittanceOut | None, Meta(description="仅省级租户 Provinces only")]


class OrganizationFiguresOut(FiguresOut, kw_only=True):
    organization_id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    kind: str
