"""Bodies of the payment and receipt endpoints (网上缴费、收据); money in integer fen."""

from __future__ import annotations

import uuid
from datetime import datetime
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
