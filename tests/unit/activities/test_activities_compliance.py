import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

import pytest

from domain.activities import (
    DEFAULT_FREQUENCIES,
    ActivityKind,
    ActivityStatus,
    ComplianceStatus,
    Frequency,
    HeldActivity,
    Period,
    PeriodCompliance,
    compliance,
    frequencies_from_settings,
    period_of,
    rollup,
)
from domain.shared.errors import DomainError

K = ActivityKind
YEAR_START = date(2025, 1, 1)
TODAY = date(2025, 12, 15)
A, B, C, D, E, F = (uuid.uuid4() for _ in range(6))


def year_of_activities(org: uuid.UUID) -> list[HeldActivity]:
    """A diligent branch up to TODAY; 组织生活会 and 民主评议 are planned for late December."""
    plan: list[tuple[ActivityKind, date]] = []
    for month in range(1, 13):
        plan += [
            (K.THEME_DAY, date(2025, month, 1)),
            (K.COMMITTEE_MEETING, date(2025, month, 5)),
            (K.GROUP_MEETING, date(2025, month, 12)),
        ]
    plan += [(K.BRANCH_CONGRESS, date(2025, month, 20)) for month in (1, 4, 7, 10)]
    plan += [
        (K.HEART_TALK, date(2025, 3, 15)),
        (K.PARTY_LECTURE, date(2025, 7, 1)),
        (K.ORG_LIFE_MEETING, date(2025, 12, 20)),
        (K.DEMOCRATIC_REVIEW, date(2025, 12, 22)),
    ]
    return [HeldActivity(kind, frozenset({org}), day) for kind, day in plan if day <= TODAY]


def without(
    items: Iterable[HeldActivity], drop: set[tuple[ActivityKind, int]]
) -> list[HeldActivity]:
    return [a for a in items if (a.kind, a.finished_on.month) not in drop]


def with_status(
    items: Iterable[HeldActivity], kind: ActivityKind, month: int, status: ActivityStatus
) -> list[HeldActivity]:
    return [
        replace(a, status=status) if (a.kind, a.finished_on.month) == (kind, month) else a
        for a in items
    ]


def joint_may_theme_day(items: Iterable[HeldActivity]) -> list[HeldActivity]:
    return without(items, {(K.THEME_DAY, 5)})


def generated_year() -> list[HeldActivity]:
    held = year_of_activities(A)
    held += without(
        year_of_activities(B),
        {(K.COMMITTEE_MEETING, 3), (K.COMMITTEE_MEETING, 6), (K.THEME_DAY, 7)},
    )
    c = with_status(year_of_activities(C), K.BRANCH_CONGRESS, 4, ActivityStatus.CANCELLED)
    c = with_status(c, K.COMMITTEE_MEETING, 8, ActivityStatus.ONGOING)
    c = with_status(c, K.COMMITTEE_MEETING, 1, ActivityStatus.ARCHIVED)
    c = with_status(c, K.PARTY_LECTURE, 7, ActivityStatus.CANCELLED)
    held += without(c, {(K.COMMITTEE_MEETING, 12)})
    held += joint_may_theme_day(year_of_activities(D))
    held += without(joint_may_theme_day(year_of_activities(E)), {(K.GROUP_MEETING, 1)})
    held.append(HeldActivity(K.THEME_DAY, frozenset({D, E}), date(2025, 5, 8)))
    # F was set up in mid-August and has only held a branch congress since.
    held.append(HeldActivity(K.BRANCH_CONGRESS, frozenset({F}), date(2025, 9, 3)))
    return held


def results_for(org: uuid.UUID, start: date = YEAR_START) -> list[PeriodCompliance]:
    return compliance(
        DEFAULT_FREQUENCIES, generated_year(), organization_id=org, period_start=start, today=TODAY
    )


def overdue(results: list[PeriodCompliance]) -> set[tuple[ActivityKind, date]]:
    return {(r.kind, r.period.first_day) for r in results if r.status is ComplianceStatus.OVERDUE}


def current(results: list[PeriodCompliance], kind: ActivityKind) -> ComplianceStatus:
    return next(r.status for r in reversed(results) if r.kind is kind)


def test_diligent_branch_has_nothing_overdue_and_december_items_due() -> None:
    results = results_for(A)
    assert overdue(results) == set()
    assert current(results, K.COMMITTEE_MEETING) is ComplianceStatus.HELD
    assert current(results, K.ORG_LIFE_MEETING) is ComplianceStatus.DUE
    assert current(results, K.DEMOCRATIC_REVIEW) is ComplianceStatus.DUE
    assert len([r for r in results if r.kind is K.THEME_DAY]) == 12
    assert len([r for r in results if r.kind is K.BRANCH_CONGRESS]) == 4


def test_missed_months_are_overdue() -> None:
    assert overdue(results_for(B)) == {
        (K.COMMITTEE_MEETING, date(2025, 3, 1)),
        (K.COMMITTEE_MEETING, date(2025, 6, 1)),
        (K.THEME_DAY, date(2025, 7, 1)),
    }


def test_cancelled_and_unfinished_activities_never_count() -> None:
    results = results_for(C)
    assert overdue(results) == {
        (K.BRANCH_CONGRESS, date(2025, 4, 1)),
        (K.COMMITTEE_MEETING, date(2025, 8, 1)),
    }
    assert current(results, K.PARTY_LECTURE) is ComplianceStatus.DUE
    assert current(results, K.COMMITTEE_MEETING) is ComplianceStatus.DUE


def test_joint_activity_counts_for_each_organization() -> None:
    assert overdue(results_for(D)) == set()
    assert overdue(results_for(E)) == {(K.GROUP_MEETING, date(2025, 1, 1))}


def test_tracking_starts_with_the_period_containing_period_start() -> None:
    results = results_for(F, start=date(2025, 8, 15))
    congresses = [r for r in results if r.kind is K.BRANCH_CONGRESS]
    assert [(r.period.first_day, r.status) for r in congresses] == [
        (date(2025, 7, 1), ComplianceStatus.HELD),
        (date(2025, 10, 1), ComplianceStatus.DUE),
    ]
    monthly_overdue = {(kind, day) for kind, day in overdue(results) if kind is K.COMMITTEE_MEETING}
    assert monthly_overdue == {(K.COMMITTEE_MEETING, date(2025, m, 1)) for m in (8, 9, 10, 11)}


def test_a_branch_established_today_owes_this_period_only() -> None:
    results = compliance(
        DEFAULT_FREQUENCIES,
        [],
        organization_id=F,
        period_start=YEAR_START,
        today=TODAY,
        obligations_from=TODAY,
    )
    assert overdue(results) == set()
    assert {r.status for r in results} == {ComplianceStatus.DUE}
    assert {(r.kind, r.period.first_day) for r in results if r.kind is K.BRANCH_CONGRESS} == {
        (K.BRANCH_CONGRESS, date(2025, 10, 1))
    }


def test_obligations_start_with_the_period_of_establishment() -> None:
    results = compliance(
        DEFAULT_FREQUENCIES,
        generated_year(),
        organization_id=F,
        period_start=YEAR_START,
        today=TODAY,
        obligations_from=date(2025, 8, 15),
    )
    assert results == results_for(F, start=date(2025, 8, 15))
    early = compliance(
        DEFAULT_FREQUENCIES,
        generated_year(),
        organization_id=F,
        period_start=date(2025, 9, 1),
        today=TODAY,
        obligations_from=date(2024, 3, 1),
    )
    assert early == results_for(F, start=date(2025, 9, 1))


def test_rollup_counts_branches_without_a_committee_meeting_this_month() -> None:
    summary = rollup({org: results_for(org) for org in (A, B, C, D, E)})
    committee = summary[K.COMMITTEE_MEETING]
    assert committee.due == (C,)
    assert committee.held == (A, B, D, E)
    assert committee.overdue == (B, C)
    assert summary[K.GROUP_MEETING].overdue == (E,)
    assert summary[K.BRANCH_CONGRESS].overdue == (C,)
    assert set(summary[K.ORG_LIFE_MEETING].due) == {A, B, C, D, E}
    assert K.STUDY not in summary


def test_party_lecture_frequency_is_a_tenant_setting() -> None:
    frequencies = frequencies_from_settings({"party_lecture": "quarterly", "heart_talk": None})
    results = compliance(
        frequencies, generated_year(), organization_id=A, period_start=YEAR_START, today=TODAY
    )
    lectures = [(r.period.first_day.month, r.status) for r in results if r.kind is K.PARTY_LECTURE]
    assert lectures == [
        (1, ComplianceStatus.OVERDUE),
        (4, ComplianceStatus.OVERDUE),
        (7, ComplianceStatus.HELD),
        (10, ComplianceStatus.DUE),
    ]
    assert all(r.kind is not K.HEART_TALK for r in results)


def test_bad_frequency_settings_name_every_mistake() -> None:
    with pytest.raises(DomainError) as caught:
        frequencies_from_settings({"party_lecture": "weekly", "coffee": "monthly"})
    assert caught.value.code == "invalid_frequency_setting"
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("party_lecture", "unknown_frequency"),
        ("coffee", "unknown_activity_kind"),
    }


def test_defaults_follow_the_branch_work_regulations() -> None:
    assert frequencies_from_settings(None) == dict(DEFAULT_FREQUENCIES)
    assert DEFAULT_FREQUENCIES[K.BRANCH_CONGRESS] is Frequency.QUARTERLY
    assert DEFAULT_FREQUENCIES[K.COMMITTEE_MEETING] is Frequency.MONTHLY
    assert DEFAULT_FREQUENCIES[K.ORG_LIFE_MEETING] is Frequency.YEARLY


@pytest.mark.parametrize(
    ("frequency", "day", "first", "last"),
    [
        (Frequency.MONTHLY, date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),
        (Frequency.MONTHLY, date(2025, 12, 31), date(2025, 12, 1), date(2025, 12, 31)),
        (Frequency.QUARTERLY, date(2025, 11, 30), date(2025, 10, 1), date(2025, 12, 31)),
        (Frequency.QUARTERLY, date(2025, 4, 1), date(2025, 4, 1), date(2025, 6, 30)),
        (Frequency.HALF_YEARLY, date(2025, 6, 30), date(2025, 1, 1), date(2025, 6, 30)),
        (Frequency.HALF_YEARLY, date(2025, 7, 1), date(2025, 7, 1), date(2025, 12, 31)),
        (Frequency.YEARLY, date(2025, 5, 5), date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_calendar_periods(frequency: Frequency, day: date, first: date, last: date) -> None:
    assert period_of(frequency, day) == Period(first, last)


def test_nothing_is_tracked_before_period_start() -> None:
    assert results_for(A, start=date(2026, 1, 1)) == []
