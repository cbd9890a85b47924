"""The dues base (党费基数) of a member: what their monthly dues are computed from.

A declaration names the member's category, and for members with an income its kind and
the monthly amount after tax (fen). Someone other than the declarer approves it (maker–
checker); only approved bases count. Which base applies to a month follows the tenant's
mode (`dues_base_mode`): from the month it takes effect (第十条: the month the new salary
is first paid), or fixed for the year (a base approved for a later month of the year
waits for the next January, unless the member had none in force yet).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.dues.messages import MESSAGES
from domain.dues.standards import MAX_FEN, DuesCategory
from domain.shared.errors import ErrorKind, FieldError


class IncomeKind(StrEnum):
    """Where the declared monthly income comes from (domain-rules §1)."""

    SALARY = "salary"  # 工资：固定的、常规性的月工资收入（税后）
    ANNUAL_SALARY = "annual_salary"  # 年薪制：当月实际领取的薪酬
    SELF_EMPLOYED = "self_employed"  # 个体经营等：上一季度月平均纯收入
    PENSION = "pension"  # 离退休费总额


_KINDS_OF = {
    DuesCategory.EMPLOYED: {IncomeKind.SALARY, IncomeKind.ANNUAL_SALARY, IncomeKind.SELF_EMPLOYED},
    DuesCategory.RETIRED: {IncomeKind.PENSION},
}


class BaseMode(StrEnum):
    FROM_MONTH_PAID = "from_month_paid"
    FIXED_YEARLY = "fixed_yearly"


class BaseStatus(StrEnum):
    DECLARED = "declared"
    APPROVED = "approved"
    REJECTED = "rejected"


def check_declaration(
    category: DuesCategory, income_kind: IncomeKind | None, income_fen: int | None
) -> None:
    """An income category needs its income and a kind that fits; the others neither."""
    errors: list[FieldError] = []
    if category.has_income:
        if income_fen is None or not 0 <= income_fen <= MAX_FEN:
            errors.append(MESSAGES.field("monthly_income_fen", "dues_income_needed"))
        if income_kind not in _KINDS_OF[category]:
            errors.append(MESSAGES.field("income_kind", "base_income_kind_mismatch"))
    else:
        if income_fen is not None:
            errors.append(MESSAGES.field("monthly_income_fen", "dues_income_not_used"))
        if income_kind is not None:
            errors.append(MESSAGES.field("income_kind", "dues_income_not_used"))
    if errors:
        raise MESSAGES.error("dues_base_invalid", errors=errors)


def check_decider(made_by: uuid.UUID, deciding: uuid.UUID) -> None:
    """Maker–checker: whoever made a declaration or proposal does not approve it."""
    if made_by == deciding:
        raise MESSAGES.error("dues_same_person", ErrorKind.FORBIDDEN)


def check_pending(status: str, pending: str) -> None:
    """A declaration or proposal is decided once."""
    if status != pending:
        raise MESSAGES.error("dues_already_decided", ErrorKind.CONFLICT, status=status)


@dataclass(frozen=True, slots=True)
class ApprovedBase:
    id: uuid.UUID
    category: DuesCategory
    income_kind: IncomeKind | None
    monthly_income_fen: int | None
    effective_from: date


def base_in_force(
    bases: Sequence[ApprovedBase], month: date, mode: BaseMode
) -> ApprovedBase | None:
    """The approved base that applies to `month` (the first of a month)."""
    started = sorted(
        (b for b in bases if b.effective_from <= month), key=lambda b: (b.effective_from, b.id)
    )
    if not started:
        return None
    if mode is BaseMode.FIXED_YEARLY:
        january = month.replace(month=1)
        by_january = [b for b in started if b.effective_from <= january]
        if by_january:
            return by_january[-1]
        return started[0]  # new this year: the first base of the year holds for it
    return started[-1]
