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

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Meta(pattern=MONTH_PATTERN, examples=["2026-05"])]
Fen = Annotated[int, Meta(ge=0, le=MAX_FEN, description="金额（分） Amount in fen")]
CATEGORY_DOC = (
    "党费类别：employed 在职、retired 离退休、farmer 农民、student 学生、"
    "unemployed 下岗失业、subsistence 领取抚恤救济或低保"
)


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class BracketIn(Strict):
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


class BracketsIn(Strict):
    employed: Annotated[list[BracketIn], Meta(min_length=1, max_length=20)]
    retired: Annotated[list[BracketIn], Meta(min_length=1, max_length=20)]


class FixedIn(Strict):
    farmer: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[50])]
    student: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[20])]
    unemployed: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[20])]
    subsistence: Annotated[int, Meta(ge=1, le=MAX_FEN, examples=[20])]


class StandardIn(Strict):
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


class CalculateIn(Strict):
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


class Timestamped(msgspec.Struct, kw_only=True):
    created_at: datetime
