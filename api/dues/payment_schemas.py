"""Bodies of the payment and receipt endpoints (网上缴费、收据); money in integer fen."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.dues.schemas import Month, Strict
from domain.dues import MAX_MONTHS_AT_ONCE

ProviderName = Literal["sandbox"]
PaymentStatusName = Literal["pending", "paid", "closed"]


class PaymentIn(Strict, kw_only=True):
    months: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_MONTHS_AT_ONCE,
            description="交几个月：该缴费单及其后未交的月份（按季交为 3） Months paid at once",
        ),
    ] = 1
    provider: Annotated[ProviderName, Meta(description="支付渠道 Payment provider")] = "sandbox"


class PrepayOut(msgspec.Struct, kw_only=True):
    """拉起支付所需参数 What the member's app needs to pay."""

    prepay_id: str
    package: str
    sign_type: str


class PaidBillOut(msgspec.Struct, kw_only=True):
    bill_id: uuid.UUID
    month: Month
    amount_fen: int
    settled: Annotated[
        bool | None,
        Meta(
            description="null 支付中；true 已结清该单；false 该单已由别的支付结清，转为多交（待退）"
        ),
    ]


class PaymentOut(msgspec.Struct, kw_only=True):
    """一笔网上缴费 One payment with a provider."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    provider: ProviderName
    out_trade_no: Annotated[str, Meta(description="商户订单号 Our order number")]
    amount_fen: int
    currency: Literal["CNY"]
    status: PaymentStatusName
    transaction_id: Annotated[str | None, Meta(description="渠道交易号 The provider's id")]
    credit_fen: Annotated[int, Meta(description="重复支付形成的多交金额（分） Paid twice")]
    refunded_fen: Annotated[int, Meta(description="已退回（分） Refunded")]
    bills: list[PaidBillOut]
    prepay: PrepayOut
    created_at: datetime
    expires_at: datetime
    settled_at: datetime | None


class ReceiptOut(msgspec.Struct, kw_only=True):
    """党费收据 The receipt of a paid bill."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    number: Annotated[
        str, Meta(description="收据编号 Receipt number", examples=["DF2026-0000000123"])
    ]
    bill_id: uuid.UUID
    payment_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: Month
    amount_fen: int
    amount_in_words: Annotated[str, Meta(description="大写金额 The amount in capitals")]
    issued_at: datetime


DifferenceName = Literal[
    "missing_in_ledger", "missing_in_statement", "amount_mismatch", "duplicate"
]


STATEMENT_EXAMPLE = (
    "交易时间,微信订单号,商户订单号,交易状态,货币种类,订单金额,商户数据包\r\n"
    "`2026-12-01 09:30:00,`sbx_4f1c2a,`0193e1b2c3d47a0b8c9d0e1f2a3b4c5d,`SUCCESS,`CNY,`50.00,"
    "`0193e1b2-0000-7000-8000-000000000001 zb.440000.440300.440304\r\n"
)


class ReconciliationIn(Strict, kw_only=True):
    day: Annotated[
        date, Meta(description="对账日（北京时间） The statement's day", examples=["2026-12-01"])
    ]
    provider: Annotated[ProviderName, Meta(description="支付渠道 Payment provider")] = "sandbox"
    statement: (
        Annotated[
            str,
            Meta(
                max_length=5_000_000,
                description="渠道交易账单 CSV；不填则向渠道下载该日账单 The statement; "
                "omitted: downloaded from the provider",
                examples=[STATEMENT_EXAMPLE],
            ),
        ]
        | None
    ) = None


class ResolveIn(Strict, kw_only=True):
    note: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=500,
            description="处理说明（如已补记、已退款、渠道更正） What was decided",
            examples=["已与渠道核实：渠道重复记录，已由渠道更正"],
        ),
    ]


class DifferenceOut(msgspec.Struct, kw_only=True):
    """一项对账差异 One difference, open until resolved."""

    id: uuid.UUID
    kind: Annotated[
        DifferenceName,
        Meta(
            description="missing_in_ledger 渠道有、台账无；missing_in_statement 台账有、渠道无；"
            "amount_mismatch 金额不符；duplicate 重复（渠道重复记录或重复支付）"
        ),
    ]
    out_trade_no: str
    transaction_id: str | None
    statement_fen: int | None
    ledger_fen: int | None
    payment_id: uuid.UUID | None
    resolution: str | None
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None


class ReconciliationOut(msgspec.Struct, kw_only=True):
    """一次对账 A day's statement matched with the ledger."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    provider: ProviderName
    day: date
    statement_rows: Annotated[int, Meta(description="本租户的账单笔数 The tenant's rows")]
    matched: int
    differences: int
    imported_by: uuid.UUID
    imported_at: datetime
    items: list[DifferenceOut]
