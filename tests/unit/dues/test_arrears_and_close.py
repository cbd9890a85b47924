"""Arrears levels, notice episodes, the Centre's share, booking months and summaries."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.dues import (
    ArrearsLevel,
    EntryKind,
    Figures,
    assess,
    booking_month,
    check_range,
    check_reportable,
    plan_notices,
    remittance_fen,
    to_centre,
)
from domain.shared import DomainError

NOW = date(2026, 12, 1)


def months(*numbers: int) -> list[date]:
    return [date(2026, n, 1) for n in numbers]


@pytest.mark.parametrize(
    ("open_months", "expected"),
    [
        ([], None),
        (months(12), None),  # the current month is not overdue yet
        (months(11), (1, 1, set())),
        (months(9, 10, 11), (3, 3, {ArrearsLevel.WARNING})),
        (months(1, 5, 9), (3, 1, {ArrearsLevel.WARNING})),
        (months(6, 7, 8, 9, 10, 11), (6, 6, {ArrearsLevel.WARNING, ArrearsLevel.FLAGGED})),
        (months(5, 6, 7, 8, 9, 11, 12), (6, 5, {ArrearsLevel.WARNING})),
        (months(2, 3, 4, 5, 6, 7, 9), (7, 6, {ArrearsLevel.WARNING, ArrearsLevel.FLAGGED})),
    ],
)
def test_assess(
    open_months: list[date], expected: tuple[int, int, set[ArrearsLevel]] | None
) -> None:
    found = assess(open_months, NOW)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.overdue_months, found.consecutive_months, set(found.levels)) == expected


def test_a_run_crosses_the_year() -> None:
    found = assess([date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)], date(2026, 2, 1))
    assert found is not None
    assert found.consecutive_months == 3


def test_notices_are_raised_once_and_ended_when_left() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    levels = {
        a: frozenset({ArrearsLevel.WARNING, ArrearsLevel.FLAGGED}),
        b: frozenset({ArrearsLevel.WARNING}),
    }
    held = [(a, ArrearsLevel.WARNING), (b, ArrearsLevel.FLAGGED), (c, ArrearsLevel.WARNING)]
    plan = plan_notices(levels, held)
    assert set(plan.open) == {(a, ArrearsLevel.FLAGGED), (b, ArrearsLevel.WARNING)}
    assert set(plan.close) == {(b, ArrearsLevel.FLAGGED), (c, ArrearsLevel.WARNING)}


@pytest.mark.parametrize(("fen", "centre"), [(99_999, False), (100_000, True), (250_000, True)])
def test_a_single_voluntary_payment_of_1000_yuan_goes_to_the_centre(fen: int, centre: bool) -> None:
    assert to_centre(fen) is centre


@pytest.mark.parametrize(
    ("kind", "closed", "month"),
    [
        (EntryKind.PAYMENT, True, date(2026, 9, 1)),
        (EntryKind.PAYMENT, False, date(2026, 9, 1)),
        (EntryKind.BACK_PAYMENT, True, date(2026, 9, 1)),
        (EntryKind.REFUND, False, date(2026, 9, 1)),
        (EntryKind.REFUND, True, NOW),
        (EntryKind.EXEMPTION, True, NOW),
    ],
)
def test_late_payments_land_in_their_month_and_corrections_of_closed_months_now(
    kind: EntryKind, closed: bool, month: date
) -> None:
    assert booking_month(kind, date(2026, 9, 1), NOW, closed=closed) == month


def test_a_branch_reports_only_when_every_bill_is_settled() -> None:
    check_reportable(5, 0)
    with pytest.raises(DomainError) as refused:
        check_reportable(5, 2)
    assert refused.value.code == "dues_branch_not_ready"
    with pytest.raises(DomainError):
        check_reportable(0, 0)


def test_figures_add_up_and_rate_in_basis_points() -> None:
    total = Figures(2, 10_000, 2_000, 5_000, 1_000, 1) + Figures(1, 5_000, 0, 5_000, 0, 0)
    assert (total.due_fen, total.net_collected_fen, total.open_bills) == (13_000, 9_000, 1)
    assert total.rate_bp == 6923
    assert Figures().rate_bp is None


def test_remittance_is_five_percent_half_up() -> None:
    assert remittance_fen(1_000_010) == 50_001
    assert remittance_fen(30) == 2
    assert remittance_fen(29) == 1


def test_summary_range() -> None:
    check_range(date(2025, 1, 1), date(2026, 12, 1))
    with pytest.raises(DomainError):
        check_range(date(2025, 1, 1), date(2027, 1, 1))
    with pytest.raises(DomainError):
        check_range(date(2026, 2, 1), date(2026, 1, 1))
