from datetime import date

import pytest

from domain.activities import (
    ActivityKind,
    ComplianceRange,
    ComplianceStatus,
    Frequency,
    Obligations,
    Period,
    PeriodCompliance,
    history_start,
    overlapping,
    parse_period,
    period_label,
    tracked_kinds,
)
from domain.shared.errors import DomainError

TODAY = date(2026, 5, 20)


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2026-05", date(2026, 5, 1), date(2026, 5, 31), "2026-05"),
        ("2026-5", date(2026, 5, 1), date(2026, 5, 31), "2026-05"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "2026-12"),
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "2026-Q2"),
        (" 2026-q4 ", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "2026-H1"),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "2026-H2"),
    ],
)
def test_periods_as_users_write_them(text: str, first: date, last: date, label: str) -> None:
    assert parse_period(None, text, TODAY) == ComplianceRange(first, last, label)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-H3", "1999", "2101-01", "May", "-"]
)
def test_other_periods_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_period(None, text, TODAY)
    assert caught.value.code == "invalid_period"
    assert caught.value.errors[0].field == "period"


def test_without_a_period_the_year_counts_defaulting_to_this_one() -> None:
    assert parse_period(None, None, TODAY).label == "2026"
    assert parse_period(2024, None, TODAY) == ComplianceRange(
        date(2024, 1, 1), date(2024, 12, 31), "2024"
    )
    with pytest.raises(DomainError) as caught:
        parse_period(1999, None, TODAY)
    assert (caught.value.code, caught.value.errors[0].field) == ("invalid_year", "year")


@pytest.mark.parametrize("text", ["2026", "2026-05", "2026-Q2", "2026-H2"])
def test_a_period_label_reads_back_as_the_same_period(text: str) -> None:
    rng = parse_period(None, text, TODAY)
    assert period_label(Period(rng.first_day, rng.last_day)) == text


def test_only_periods_sharing_a_day_with_the_range_are_kept() -> None:
    def month(m: int) -> PeriodCompliance:
        first = date(2026, m, 1)
        last = parse_period(None, f"2026-{m:02d}", TODAY).last_day
        return PeriodCompliance(
            ActivityKind.THEME_DAY, Frequency.MONTHLY, Period(first, last), ComplianceStatus.DUE, 0
        )

    q2 = parse_period(None, "2026-Q2", TODAY)
    kept = overlapping([month(m) for m in range(1, 13)], q2)
    assert [p.period.first_day.month for p in kept] == [4, 5, 6]


def test_history_reaches_back_over_a_year_from_the_first_month() -> None:
    assert history_start(parse_period(None, "2026-05", TODAY)) == date(2025, 4, 26)


def test_party_groups_owe_group_meetings_and_branches_the_rest() -> None:
    assert tracked_kinds("party_group") == {ActivityKind.GROUP_MEETING}
    branch = tracked_kinds("branch")
    assert ActivityKind.GROUP_MEETING not in branch
    assert {ActivityKind.BRANCH_CONGRESS, ActivityKind.COMMITTEE_MEETING} <= branch
    assert branch | {ActivityKind.GROUP_MEETING} == set(ActivityKind)


def test_obligations_run_from_establishment_or_else_registration() -> None:
    assert Obligations.of(date(2020, 7, 1), date(2026, 1, 5)) == Obligations(
        date(2020, 7, 1), "established_on"
    )
    assert Obligations.of(None, date(2026, 1, 5)) == Obligations(date(2026, 1, 5), "created_at")
