"""Which base applies to a month in each mode, what a relief leaves due, who gets a bill
for a month and how far back, and the paid-to month derived from balances."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.dues import (
    NATIONAL_2008,
    ApprovedBase,
    ApprovedRelief,
    BaseMode,
    BillDraft,
    BillStatus,
    DuesCategory,
    IncomeKind,
    Payer,
    ReliefKind,
    Rounding,
    Skip,
    Terms,
    back_payment_allowed,
    base_in_force,
    charge_entries,
    check_declaration,
    draft_bill,
    paid_to,
    prepay_months,
)
from domain.dues.ledger import EntryKind
from domain.shared import DomainError


def base(month: date, income: int) -> ApprovedBase:
    return ApprovedBase(uuid.uuid4(), DuesCategory.EMPLOYED, IncomeKind.SALARY, income, month)


MARCH = base(date(2025, 3, 1), 400_000)
JULY = base(date(2026, 7, 1), 600_000)


@pytest.mark.parametrize(
    ("mode", "month", "expected"),
    [
        (BaseMode.FROM_MONTH_PAID, date(2025, 2, 1), None),
        (BaseMode.FROM_MONTH_PAID, date(2026, 6, 1), MARCH),
        (BaseMode.FROM_MONTH_PAID, date(2026, 7, 1), JULY),
        # Fixed for the year: July's raise waits for January.
        (BaseMode.FIXED_YEARLY, date(2026, 7, 1), MARCH),
        (BaseMode.FIXED_YEARLY, date(2026, 12, 1), MARCH),
        (BaseMode.FIXED_YEARLY, date(2027, 1, 1), JULY),
        # A member new this year pays on their first base until January.
        (BaseMode.FIXED_YEARLY, date(2025, 5, 1), MARCH),
    ],
)
def test_the_base_in_force(mode: BaseMode, month: date, expected: ApprovedBase | None) -> None:
    assert base_in_force([JULY, MARCH], month, mode) is expected


def test_a_declaration_fits_its_category() -> None:
    check_declaration(DuesCategory.RETIRED, IncomeKind.PENSION, 300_000)
    check_declaration(DuesCategory.FARMER, None, None)
    with pytest.raises(DomainError):
        check_declaration(DuesCategory.RETIRED, IncomeKind.SALARY, 300_000)
    with pytest.raises(DomainError):
        check_declaration(DuesCategory.EMPLOYED, IncomeKind.SALARY, None)


CURRENT = date(2026, 12, 1)


def terms(month: date) -> Terms:
    return Terms(month, CURRENT, NATIONAL_2008, Rounding.HALF_UP, BaseMode.FROM_MONTH_PAID)


def payer(status: str = "full", admitted: date = date(2010, 7, 1)) -> Payer:
    return Payer(uuid.uuid4(), uuid.uuid4(), status, admitted)


def test_a_bill_at_the_standard() -> None:
    bill = draft_bill(payer(), terms(CURRENT), [MARCH], [], None)
    assert isinstance(bill, BillDraft)
    assert (bill.standard_fen, bill.amount_fen, bill.status) == (4_000, 4_000, BillStatus.UNPAID)
    assert bill.rule["rate_bp"] == 100
    assert bill.back_payment is False


@pytest.mark.parametrize(
    ("who", "month", "skip"),
    [
        (payer("suspended"), CURRENT, Skip.NOT_PAYING),
        (payer("removed"), CURRENT, Skip.NOT_PAYING),
        # Probationary members pay from the month of admission (第八条).
        (payer("probationary", date(2026, 12, 20)), date(2026, 11, 1), Skip.NOT_YET_ADMITTED),
        (payer(), date(2026, 5, 1), Skip.TOO_FAR_BACK),
        (payer(), date(2025, 2, 1), Skip.NO_BASE),
    ],
)
def test_who_gets_no_bill(who: Payer, month: date, skip: Skip) -> None:
    assert (
        draft_bill(
            who, terms(month), [MARCH], [], date(2025, 1, 1) if skip is Skip.NO_BASE else None
        )
        is skip
    )


def test_the_month_of_admission_is_billed() -> None:
    bill = draft_bill(payer("probationary", date(2026, 12, 31)), terms(CURRENT), [MARCH], [], None)
    assert isinstance(bill, BillDraft)


def test_a_member_transferred_in_is_billed_after_the_carried_paid_to_month() -> None:
    arrived = Payer(uuid.uuid4(), uuid.uuid4(), "full", date(2010, 7, 1), date(2026, 10, 1))
    for paid_there in (date(2026, 9, 1), date(2026, 10, 1)):
        assert draft_bill(arrived, terms(paid_there), [MARCH], [], None) is (
            Skip.PAID_BEFORE_TRANSFER
        )
    bill = draft_bill(arrived, terms(date(2026, 11, 1)), [MARCH], [], None)
    assert isinstance(bill, BillDraft)


def test_back_payment_reaches_six_months_or_an_exception() -> None:
    assert back_payment_allowed(date(2026, 6, 1), CURRENT, None)
    assert not back_payment_allowed(date(2026, 5, 1), CURRENT, None)
    assert back_payment_allowed(date(2026, 5, 1), CURRENT, date(2026, 1, 1))
    assert not back_payment_allowed(date(2025, 12, 1), CURRENT, date(2026, 1, 1))
    bill = draft_bill(payer(), terms(date(2026, 6, 1)), [MARCH], [], None)
    assert isinstance(bill, BillDraft)
    assert bill.back_payment is True


def relief(kind: ReliefKind, amount: int | None) -> ApprovedRelief:
    return ApprovedRelief(uuid.uuid4(), kind, amount, date(2026, 10, 1), date(2026, 12, 1))


def test_reliefs_lower_what_is_due_and_the_ledger_shows_it() -> None:
    reduced = draft_bill(
        payer(), terms(CURRENT), [MARCH], [relief(ReliefKind.REDUCTION, 100)], None
    )
    assert isinstance(reduced, BillDraft)
    assert (reduced.standard_fen, reduced.amount_fen) == (4_000, 100)
    assert charge_entries(4_000, 100) == [(EntryKind.CHARGE, 4_000), (EntryKind.EXEMPTION, -3_900)]
    exempt = draft_bill(
        payer(), terms(CURRENT), [MARCH], [relief(ReliefKind.EXEMPTION, None)], None
    )
    assert isinstance(exempt, BillDraft)
    assert (exempt.amount_fen, exempt.status) == (0, BillStatus.EXEMPTED)
    outside = draft_bill(
        payer(), terms(date(2026, 9, 1)), [MARCH], [relief(ReliefKind.EXEMPTION, None)], None
    )
    assert isinstance(outside, BillDraft)
    assert outside.amount_fen == 4_000
    # A reduction never raises what is due.
    generous = draft_bill(
        payer(), terms(CURRENT), [MARCH], [relief(ReliefKind.REDUCTION, 9_999)], None
    )
    assert isinstance(generous, BillDraft)
    assert generous.amount_fen == 4_000


def test_paid_to_is_the_end_of_the_settled_run() -> None:
    jan, feb, mar = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
    assert paid_to({}) is None
    assert paid_to({jan: 1_500}) is None
    assert paid_to({jan: 0, feb: 0, mar: 1_500}) == feb
    assert paid_to({jan: 0, feb: 1_500, mar: 0}) == jan
    assert paid_to({jan: 0, feb: 0}) == feb


@pytest.mark.parametrize(
    ("last", "count", "ahead", "months"),
    [
        (date(2026, 5, 1), 2, 2, [date(2026, 6, 1), date(2026, 7, 1)]),
        (None, 1, 0, [date(2026, 5, 1)]),  # this month's bill not made yet
        (date(2026, 2, 1), 2, 1, [date(2026, 5, 1), date(2026, 6, 1)]),  # the gap is the run's
        (date(2026, 6, 1), 1, 2, [date(2026, 7, 1)]),
    ],
)
def test_months_paid_ahead_are_billed_up_to_the_branchs_limit(
    last: date | None, count: int, ahead: int, months: list[date]
) -> None:
    assert prepay_months(last, date(2026, 5, 1), count, ahead) == months


@pytest.mark.parametrize(("last", "count", "ahead"), [(date(2026, 5, 1), 1, 0), (None, 4, 2)])
def test_paying_beyond_the_limit_is_refused(last: date | None, count: int, ahead: int) -> None:
    with pytest.raises(DomainError) as refused:
        prepay_months(last, date(2026, 5, 1), count, ahead)
    assert refused.value.code == "dues_prepay_too_far"
    assert "2026-0" in refused.value.message.zh
