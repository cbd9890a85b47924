"""Settling payments (结算): what a provider's word on an order does to our payment and its
bills, decided before anything is written.

A payment is `pending` from its creation (its bills held, so no second payment can start
for them), `paid` once a successful transaction settles it, `closed` when it expired
unpaid. State changes key on the provider's transaction id: the same transaction again is
a duplicate and changes nothing; a closed payment that the provider reports paid after
all is still settled (the money arrived). A bill already paid by another payment is not
paid twice: what was paid for it becomes the member's credit, to be refunded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from domain.dues.messages import MESSAGES
from domain.dues.months import format_month
from domain.dues.payments import TradeState, Transaction
from domain.shared.errors import ErrorKind

MAX_MONTHS_AT_ONCE = 12
"""A payment pays at most a year of bills (monthly, a quarter, back payment)."""


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    CLOSED = "closed"


class Outcome(StrEnum):
    """What a notification or an order query did, as recorded beside the notification."""

    SETTLED = "settled"
    DUPLICATE = "duplicate"
    CREDITED = "credited"
    MISMATCH = "mismatch"
    IGNORED = "ignored"

    @property
    def acknowledged(self) -> bool:
        """Whether the provider is told it was received (2xx: it stops calling back)."""
        return self is not Outcome.MISMATCH


def settlement(
    status: PaymentStatus, settled_transaction: str | None, transaction: Transaction
) -> Outcome:
    """What a verified transaction (whose order, amount and currency matched) does."""
    if transaction.trade_state is not TradeState.SUCCESS:
        return Outcome.IGNORED
    if status is PaymentStatus.PAID:
        if settled_transaction == transaction.transaction_id:
            return Outcome.DUPLICATE
        return Outcome.MISMATCH
    return Outcome.SETTLED


def bill_settles(bill_status: str) -> bool:
    """An unpaid bill is paid by the payment; any other (paid, exempted) gets a credit."""
    return bill_status == "unpaid"


def check_months(months: int) -> None:
    if not 1 <= months <= MAX_MONTHS_AT_ONCE:
        raise MESSAGES.error(
            "dues_payment_months",
            errors=[MESSAGES.field("months", "dues_payment_months", code="range")],
            most=MAX_MONTHS_AT_ONCE,
        )


def check_payable(first: date, months: int, unpaid: Sequence[date]) -> None:
    """`unpaid` are the member's unpaid bill months from the first one asked: a payment of
    `months` needs that many, the first being the bill it was asked for."""
    if not unpaid or unpaid[0] != first:
        raise MESSAGES.error("dues_bill_not_payable", ErrorKind.CONFLICT)
    if len(unpaid) < months:
        raise MESSAGES.error(
            "dues_payment_months_missing",
            ErrorKind.CONFLICT,
            months=months,
            found=len(unpaid),
        )


def payment_description(months: Sequence[date]) -> str:
    """What the member sees at the provider: 党费 and the months paid."""
    if len(months) == 1:
        return f"党费 {format_month(months[0])}"
    return f"党费 {format_month(months[0])} 至 {format_month(months[-1])}"


def receipt_number(issued_at: datetime, sequence: int) -> str:
    """DF + the year issued + the sequence's value, ten digits: `DF2026-0000000123`."""
    return f"DF{issued_at.year:04d}-{sequence:010d}"
