"""The payment port (支付渠道端口): what the dues context asks of any payment provider, and
the checks every provider's notification passes before anything changes.

Modelled on WeChat Pay API v3, so that its adapter and Alipay's fit without touching the
domain: our order number (`out_trade_no`) names the payment, the provider's transaction
id names its settlement, amounts are integer fen with a currency. An adapter verifies the
provider's signature and decrypts the resource; the domain then checks that what was
paid is what was asked (amount, currency, order), so a notification that is authentic but
for another amount changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from domain.dues.messages import MESSAGES
from domain.shared.errors import ErrorKind

CURRENCY = "CNY"


class TradeState(StrEnum):
    """A provider's state of one order (WeChat Pay v3 `trade_state`)."""

    NOTPAY = "NOTPAY"
    SUCCESS = "SUCCESS"
    CLOSED = "CLOSED"
    REFUND = "REFUND"
    PAYERROR = "PAYERROR"


@dataclass(frozen=True, slots=True)
class PaymentOrder:
    """What we ask a provider to collect."""

    out_trade_no: str
    amount_fen: int
    description: str
    currency: str = CURRENCY
    attach: str = ""
    """Returned signed with every notification (WeChat `attach`, Alipay `passback_params`):
    the dues context puts the tenant there, so a callback finds its tenant unaided."""


@dataclass(frozen=True, slots=True)
class PaymentParams:
    """What the member's app needs to pay (a provider's prepay parameters)."""

    provider: str
    out_trade_no: str
    prepay_id: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transaction:
    """A provider's account of one order, from a notification or an order query."""

    out_trade_no: str
    transaction_id: str | None
    trade_state: TradeState
    amount_fen: int
    currency: str
    success_time: datetime | None
    attach: str = ""


@dataclass(frozen=True, slots=True)
class Notification:
    """A verified, decrypted callback: its id (for duplicates) and the transaction."""

    id: str
    event_type: str
    transaction: Transaction


class PaymentProvider(Protocol):
    """A payment provider as the dues context uses it; adapters live in infra."""

    name: str

    async def create(self, order: PaymentOrder) -> PaymentParams: ...

    async def query(self, out_trade_no: str) -> Transaction | None: ...

    async def close(self, out_trade_no: str) -> None: ...

    async def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int) -> None:
        """Give back part or all of a paid order (once per `out_refund_no`)."""
        ...

    async def statement(self, day: date) -> str:
        """The provider's trade bill for a day (Beijing time), CSV (see reconciliation)."""
        ...

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> Notification:
        """The notification, or a DomainError when its signature, serial, time or resource
        does not hold (nothing may change for it)."""
        ...


def check_settles(order: PaymentOrder, transaction: Transaction) -> None:
    """A successful transaction settles `order` only for its order number, amount and
    currency, all of which the provider's signature covered."""
    problems: dict[str, Any] = {}
    if transaction.out_trade_no != order.out_trade_no:
        problems["out_trade_no"] = transaction.out_trade_no
    if transaction.amount_fen != order.amount_fen:
        problems["amount_fen"] = transaction.amount_fen
    if transaction.currency != order.currency:
        problems["currency"] = transaction.currency
    if transaction.trade_state is not TradeState.SUCCESS:
        problems["trade_state"] = transaction.trade_state.value
    if problems:
        raise MESSAGES.error(
            "payment_mismatch",
            ErrorKind.CONFLICT,
            fields=", ".join(sorted(problems)),
        )
