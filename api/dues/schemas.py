"""Request and response bodies of the dues endpoints (msgspec: strict and fast). Money is
integer fen (分), rates basis points (万分之一), months `YYYY-MM`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from domain.dues import MAX_FEN

CategoryName = Literal["employed", "retired", "farmer", "student", "unemployed", "subsistence"]
IncomeKindName = Literal["salary", "annual_salary", "self_employed", "pension"]
RoundingName = Literal["half_up", "half_even", "down", "up"]
BaseStatusName = Literal["declared", "approved", "rejected"]
ReliefKindName = Literal["reduction", "exemption"]
ReliefStatusName = Literal["proposed", "approved", "rejected"]
BillStatusName = Literal["unpaid", "paid", "exempted"]

MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Meta(pattern=MONTH_PATTERN, examples=["2026-05"])]
Fen = Annotated[int, Meta(ge=0, le=MAX_FEN, description="金额（分） Amount in fen")]
CATEGORY_DOC = (
    "党费类别：employed 在职、retired 离退休、farmer 农民、student 学生、"
    "unemployed 下岗失业、subsistence 领取抚恤救济或低保"
)


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class BracketIn(Strict, kw_only=True):
    up_to_fen: (
        Annotated[
            int,
            Meta(ge=1, le=MAX_FEN, description="本档上限（含），最后一档为 null Inclusive bound"),
        ]
        | None
    )
    rate_bp: Annotated[
        int, Meta(ge=1, le=10_000, description="比例（万分点，50 即 0.5%） Rate in basis points")
    ]


class BracketsIn(Strict, kw_only=True):
    employed: Annotated[list[BracketIn], Meta(min_length=1, max_length=20)]
    retired: Annotated[list[BracketIn], Meta(min_length=1, max_length=20)]


class FixedIn(Strict, kw_only=True):
    farmer: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[50])]
    student: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[20])]
    unemployed: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[20])]
    subsistence: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[20])]


class StandardIn(Strict, kw_only=True):
    """发布交纳标准的新版本 Publish a dues standard version."""

    name: Annotated[
        str, Meta(min_length=1, max_length=200, pattern=r"\S", examples=["广东省党费交纳标准"])
    ]
    effective_from: Annotated[date, Meta(description="生效日期 In force from")]
    brackets: Annotated[
        BracketsIn,
        Meta(
            description="按收入比例的类别及其各档 Brackets of the income categories",
            examples=[
                {
                    "employed": [
                        {"up_to_fen": 300000, "rate_bp": 50},
                        {"up_to_fen": 500000, "rate_bp": 100},
                        {"up_to_fen": 1000000, "rate_bp": 150},
                        {"up_to_fen": None, "rate_bp": 200},
                    ],
                    "retired": [
                        {"up_to_fen": 500000, "rate_bp": 50},
                        {"up_to_fen": None, "rate_bp": 100},
                    ],
                }
            ],
        ),
    ]
    fixed_fen: Annotated[
        FixedIn,
        Meta(
            description="固定金额类别的月党费（分） Fixed monthly amounts in fen",
            examples=[{"farmer": 50, "student": 20, "unemployed": 20, "subsistence": 20}],
        ),
    ]
    tenant_id: Annotated[
        uuid.UUID | None, Meta(description="适用租户（默认本租户） Tenant, default one's own")
    ] = None


class BracketOut(msgspec.Struct, kw_only=True):
    up_to_fen: int | None
    rate_bp: int


class StandardOut(msgspec.Struct, kw_only=True):
    """交纳标准的一个版本 A dues standard version."""

    id: uuid.UUID
    name: str
    tenant_id: Annotated[uuid.UUID | None, Meta(description="null：内置的全国标准 Built in")]
    effective_from: date
    in_force: Annotated[bool, Meta(description="今天对该租户生效 In force today")]
    brackets: dict[str, list[BracketOut]]
    fixed_fen: dict[str, int]


class CalculateIn(Strict, kw_only=True):
    """按标准计算月党费 Calculate monthly dues."""

    category: Annotated[CategoryName, Meta(description=CATEGORY_DOC)]
    monthly_income_fen: (
        Annotated[
            int,
            Meta(
                ge=0,
                le=MAX_FEN,
                examples=[500000],
                description="税后月收入（分），在职和离退休必填 After-tax monthly income",
            ),
        ]
        | None
    ) = None
    on: Annotated[date | None, Meta(description="按该日生效的标准（默认今天）")] = None


class RuleOut(msgspec.Struct, kw_only=True):
    standard_id: uuid.UUID
    standard_name: str
    category: CategoryName
    above_fen: int | None
    up_to_fen: int | None
    rate_bp: int | None
    fixed_fen: int | None
    description: str


class CalculationOut(msgspec.Struct, kw_only=True):
    amount_fen: Annotated[int, Meta(description="月党费（分） Monthly dues in fen")]
    rounding: RoundingName
    rule: RuleOut


def rule_out(rule: dict[str, Any], description: str) -> RuleOut:
    return RuleOut(
        standard_id=uuid.UUID(rule["standard_id"]),
        standard_name=rule["standard_name"],
        category=rule["category"],
        above_fen=rule["above_fen"],
        up_to_fen=rule["up_to_fen"],
        rate_bp=rule["rate_bp"],
        fixed_fen=rule["fixed_fen"],
        description=description,
    )


class BaseIn(Strict, kw_only=True):
    """申报党费基数 Declare a dues base."""

    member_id: uuid.UUID
    category: Annotated[CategoryName, Meta(description=CATEGORY_DOC)]
    income_kind: Annotated[
        IncomeKindName | None,
        Meta(
            description="收入类型：salary 工资、annual_salary 年薪制、self_employed 个体经营"
            "（上季度月均）、pension 离退休费；固定金额类别不填"
        ),
    ] = None
    monthly_income_fen: (
        Annotated[
            int,
            Meta(
                ge=0, le=MAX_FEN, examples=[500000], description="税后月收入（分） Monthly income"
            ),
        ]
        | None
    ) = None
    effective_from: Annotated[Month, Meta(description="自该月起适用 Applies from this month")]
    note: Annotated[str, Meta(max_length=500, examples=["2026年调资"])] | None = None


class ReliefDecisionIn(Strict, kw_only=True):
    """审批意见 A decision's note."""

    note: Annotated[str, Meta(max_length=500, examples=["经支委会讨论同意"])] | None = None


class BaseOut(msgspec.Struct, kw_only=True):
    """党费基数 A dues base and who declared and decided it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    category: CategoryName
    income_kind: IncomeKindName | None
    monthly_income_fen: int | None
    effective_from: Month
    status: BaseStatusName
    note: str | None
    declared_by: uuid.UUID
    declared_at: datetime
    decided_by: uuid.UUID | None
    decided_at: datetime | None


class ReliefIn(Strict, kw_only=True):
    """提出减免 Propose a hardship reduction or exemption."""

    member_id: uuid.UUID
    kind: Annotated[ReliefKindName, Meta(description="reduction 减交、exemption 免交")]
    monthly_amount_fen: (
        Annotated[int, Meta(ge=0, le=MAX_FEN, examples=[100], description="减交后每月应交（分）")]
        | None
    ) = None
    from_month: Month
    to_month: Month
    reason: Annotated[
        str, Meta(min_length=1, max_length=500, pattern=r"\S", examples=["家庭困难，经支部讨论"])
    ]


class ReliefOut(msgspec.Struct, kw_only=True):
    """减免 A reduction or exemption and its decision."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    kind: ReliefKindName
    monthly_amount_fen: int | None
    from_month: Month
    to_month: Month
    reason: str
    status: ReliefStatusName
    proposed_by: uuid.UUID
    proposed_at: datetime
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    decision_note: str | None


class BillRunIn(Strict, kw_only=True):
    """生成缴费单 Run the bills of a month."""

    month: Annotated[Month, Meta(description="账单月份，不晚于本月 Not after this month")]
    tenant_id: Annotated[
        uuid.UUID | None, Meta(description="租户（默认本租户） Tenant, default one's own")
    ] = None


class BillOut(msgspec.Struct, kw_only=True):
    """缴费单 One member's dues for one month."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: Month
    standard_fen: Annotated[int, Meta(description="按标准应交（分） Due by the standard")]
    amount_fen: Annotated[int, Meta(description="减免后应交（分） Due after any relief")]
    status: BillStatusName
    back_payment: Annotated[bool, Meta(description="补交 For a past month")]
    rule: RuleOut
    created_at: datetime


class AccountOut(msgspec.Struct, kw_only=True):
    """党员的党费账户 A member's dues account, derived from the ledger."""

    member_id: uuid.UUID
    paid_to: Annotated[
        Month | None, Meta(description="党费交至（年月），无已结清月份为 null Paid to")
    ]
    balance_fen: Annotated[int, Meta(description="尚欠（分） Owed")]
    open_months: list[Month]


class ExceptionIn(Strict, kw_only=True):
    """补交超过六个月的例外 An exception to the six-month back-payment limit."""

    member_id: uuid.UUID
    from_month: Annotated[Month, Meta(description="可补交到该月 Back payment reaches this month")]
    reason: Annotated[
        str, Meta(min_length=1, max_length=500, pattern=r"\S", examples=["组织关系转入前欠交"])
    ]


class ExceptionOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    from_month: Month
    reason: str
    recorded_by: uuid.UUID
    recorded_at: datetime
