"""Monthly bills (缴费单): who gets one for a month, for how much, and how far back.

One bill per paying member and month. Probationary members pay from the month the
支部大会 admitted them (第八条); suspended or removed members get none. Back payment
(补交) covers at most six months before the current one unless an administrator has
recorded an exception for the member from an earlier month.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.dues.bases import ApprovedBase, BaseMode, base_in_force
from domain.dues.messages import MESSAGES
from domain.dues.months import add_months, format_month, month_of
from domain.dues.reliefs import ApprovedRelief, relief_for
from domain.dues.standards import DuesStandard, Rounding, monthly_dues
from domain.shared.errors import ErrorKind

MAX_BACK_MONTHS = 6
PAYING_STATUSES = frozenset({"probationary", "full"})


class BillStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    EXEMPTED = "exempted"


def check_bill_month(month: date, current: date) -> None:
    """A run is for the current month or a past one, never a future month."""
    if month > current:
        raise MESSAGES.error(
            "dues_bill_month_future",
            errors=[MESSAGES.field("month", "dues_bill_month_future", code="future")],
        )


def back_payment_allowed(month: date, current: date, exception_from: date | None) -> bool:
    """Whether a bill for `month` may be made now (`current` is this month)."""
    if month >= add_months(current, -MAX_BACK_MONTHS):
        return True
    return exception_from is not None and exception_from <= month


def prepay_months(last_billed: date | None, current: date, count: int, ahead: int) -> list[date]:
    """The `count` months to bill now for a member paying beyond their last bill (预交):
    those after it, none before this month (earlier ones are the bill run's), none more
    than `ahead` months after this one (the branch's consent, `dues_months_ahead`)."""
    start = current if last_billed is None else max(add_months(last_billed, 1), current)
    months = [add_months(start, i) for i in range(count)]
    last = add_months(current, ahead)
    if months and months[-1] > last:
        raise MESSAGES.error(
            "dues_prepay_too_far",
            ErrorKind.CONFLICT,
            last=format_month(last),
        )
    return months


@dataclass(frozen=True, slots=True)
class Payer:
    """What a bill run needs to know of a member."""

    member_id: uuid.UUID
    organization_id: uuid.UUID
    status: str
    admitted_on: date
    carried_paid_to: date | None = None
    """党费交至 carried in by a transfer from another tenant: months to it were paid there."""


class Skip(StrEnum):
    """Why a member got no bill for a month (counted in the run's report)."""

    NOT_PAYING = "not_paying"
    NOT_YET_ADMITTED = "not_yet_admitted"
    NO_BASE = "no_base"
    TOO_FAR_BACK = "too_far_back"
    PAID_BEFORE_TRANSFER = "paid_before_transfer"


@dataclass(frozen=True, slots=True)
class BillDraft:
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: date
    standard_fen: int
    amount_fen: int
    status: BillStatus
    rule: dict[str, Any]
    relief_id: uuid.UUID | None
    back_payment: bool


@dataclass(frozen=True, slots=True)
class Terms:
    """What applies to the whole run: the standard, rounding, base mode and the month."""

    month: date
    current: date
    standard: DuesStandard
    rounding: Rounding
    mode: BaseMode


def draft_bill(
    payer: Payer,
    terms: Terms,
    bases: Sequence[ApprovedBase],
    reliefs: Sequence[ApprovedRelief],
    exception_from: date | None,
) -> BillDraft | Skip:
    """The bill of one member for the run's month, or why there is none."""
    if payer.status not in PAYING_STATUSES:
        return Skip.NOT_PAYING
    if terms.month < month_of(payer.admitted_on):
        return Skip.NOT_YET_ADMITTED
    if payer.carried_paid_to is not None and terms.month <= payer.carried_paid_to:
        return Skip.PAID_BEFORE_TRANSFER
    if not back_payment_allowed(terms.month, terms.current, exception_from):
        return Skip.TOO_FAR_BACK
    base = base_in_force(bases, terms.month, terms.mode)
    if base is None:
        return Skip.NO_BASE
    assessed = monthly_dues(terms.standard, base.category, base.monthly_income_fen, terms.rounding)
    relief = relief_for(reliefs, terms.month)
    amount = relief.due(assessed.amount_fen) if relief else assessed.amount_fen
    rule = assessed.rule.as_dict() | {"base_id": str(base.id)}
    if relief is not None:
        rule["relief_id"] = str(relief.id)
        rule["relief_kind"] = relief.kind.value
    return BillDraft(
        member_id=payer.member_id,
        organization_id=payer.organization_id,
        month=terms.month,
        standard_fen=assessed.amount_fen,
        amount_fen=amount,
        status=BillStatus.UNPAID if amount > 0 else BillStatus.EXEMPTED,
        rule=rule,
        relief_id=relief.id if relief else None,
        back_payment=terms.month < terms.current,
    )
