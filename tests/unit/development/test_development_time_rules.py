"""Every time rule at its boundary: one day before, on the day, one day after (domain-rules §3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pipeline_builders import BORN, DATES, NOTICES, draft, file_through, record

from domain.development import (
    DEFAULT_RULES,
    Decision,
    Notice,
    StepDraft,
    TimeRules,
    add_months,
    adulthood,
)
from domain.shared import DomainError, ErrorKind

DAY = timedelta(days=1)


def refusal(records: tuple, d: StepDraft, rules: TimeRules = DEFAULT_RULES) -> DomainError:
    with pytest.raises(DomainError) as caught:
        record(records, d, rules)
    return caught.value


def assert_refused(error: DomainError, rule: str, possible_from: date | None) -> None:
    assert error.code == "development_step_refused"
    assert error.kind is ErrorKind.CONFLICT
    assert error.extra == {
        "rule": rule,
        "possible_from": possible_from.isoformat() if possible_from else None,
    }


def test_the_happy_path_reaches_full_membership_with_dates_from_its_steps() -> None:
    from domain.development import ApplicantStatus, replay

    state = replay(file_through(25))
    assert state.status is ApplicantStatus.FULL
    assert state.admitted_on == DATES[15]
    assert state.full_member_on == date(2025, 9, 20)  # one year after the admission vote


# ---------------------------------------------------------------- least spans


@pytest.mark.parametrize(
    ("number", "rule", "earliest"),
    [
        (3, "activist_after_application", add_months(DATES[1], 6)),
        (7, "candidate_after_activist", add_months(DATES[3], 12)),
        (22, "probation", add_months(DATES[15], 12)),
    ],
)
def test_a_least_span_refuses_the_day_before_and_allows_the_day_and_after(
    number: int, rule: str, earliest: date
) -> None:
    before = file_through(number - 1)
    day_before = earliest - DAY
    notice = NOTICES.get(number)
    shifted = {"notice": Notice(day_before, notice.ends_on)} if notice else {}
    assert_refused(refusal(before, draft(number, day_before, **shifted)), rule, earliest)
    for on in (earliest, earliest + DAY):
        moved = {"notice": Notice(on, on + timedelta(days=7))} if notice else {}
        assert record(before, draft(number, on, **moved))[-1].step == number


def test_applicants_must_be_eighteen_on_the_day_they_apply() -> None:
    birthday = adulthood(BORN)
    assert_refused(refusal((), draft(1, birthday - DAY)), "adult_age", birthday)
    assert record((), draft(1, birthday))
    assert record((), draft(1, birthday + DAY))


def test_born_on_29_february_comes_of_age_on_1_march() -> None:
    assert adulthood(date(2004, 2, 29)) == date(2022, 3, 1)
    assert adulthood(date(2000, 2, 29)) == date(2018, 3, 1)


# ---------------------------------------------------------------- most spans


@pytest.mark.parametrize(
    ("number", "rule", "deadline", "special"),
    [
        (2, "talk_within", add_months(DATES[1], 1), False),
        (6, "review_interval", add_months(DATES[3], 6), False),
        (17, "approval_within", add_months(DATES[15], 3), False),
        (17, "approval_within_special", add_months(DATES[15], 6), True),
        (24, "approval_within", add_months(DATES[23], 3), False),
    ],
)
def test_a_deadline_allows_the_day_before_and_the_day_and_refuses_the_day_after(
    number: int, rule: str, deadline: date, special: bool
) -> None:
    before = file_through(number - 1)
    for on in (deadline - DAY, deadline):
        assert record(before, draft(number, on, special_circumstances=special))[-1].step == number
    error = refusal(before, draft(number, deadline + DAY, special_circumstances=special))
    assert_refused(error, rule, None)


def test_a_candidate_needs_an_unbroken_chain_of_half_yearly_reviews() -> None:
    one_review = record(file_through(5), draft(6))  # 2024-01-10 only
    deadline = add_months(DATES[6], 6)
    assert deadline == DATES[7]
    assert record(one_review, draft(7, deadline))
    late = deadline + DAY
    error = refusal(one_review, draft(7, late, notice=Notice(late, late + timedelta(days=7))))
    assert_refused(error, "review_interval", None)


def test_one_month_after_31_january_is_the_end_of_february() -> None:
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


# ---------------------------------------------------------------- training and notices


@pytest.mark.parametrize(
    ("days", "hours", "allowed"),
    [(2, None, False), (3, None, True), (4, None, True), (None, 23, False), (None, 24, True)],
)
def test_training_lasts_three_days_or_twenty_four_hours(
    days: int | None, hours: int | None, allowed: bool
) -> None:
    before = file_through(10)
    d = draft(11, training_days=days, training_hours=hours)
    if allowed:
        assert record(before, d)
    else:
        assert_refused(refusal(before, d), "training_minimum", None)


def test_a_notice_runs_five_working_days_and_the_next_step_waits_for_its_end() -> None:
    before = file_through(2)
    start = date(2023, 7, 11)  # a Tuesday: Tue-Fri and Monday make five
    short = draft(3, notice=Notice(start, date(2023, 7, 16)))  # ends on the Sunday
    assert_refused(refusal(before, short), "public_notice", None)
    assert short.notice is not None
    assert refusal(before, short).errors[0].message.zh.endswith("2023-07-17")
    through_3 = record(before, draft(3))
    ends = NOTICES[3].ends_on
    assert_refused(refusal(through_3, draft(4, ends)), "public_notice_running", ends + DAY)
    assert record(through_3, draft(4, ends + DAY))


def test_working_days_skip_holidays_the_calendar_names() -> None:
    holidays = {date(2023, 7, 12)}

    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in holidays

    from domain.development import check_step

    error_draft = draft(3)
    with pytest.raises(DomainError) as caught:
        check_step(
            file_through(2),
            error_draft,
            birth_date=BORN,
            rules=DEFAULT_RULES,
            today=date(2026, 1, 1),
            is_working_day=working,
        )
    assert caught.value.extra["rule"] == "public_notice"


# ---------------------------------------------------------------- tenants tighten only


def test_a_tenant_may_tighten_a_rule() -> None:
    rules = DEFAULT_RULES.tightened({"candidate_after_activist": 18, "talk_within": 1})
    before = file_through(6)
    earliest = add_months(DATES[3], 18)
    error = refusal(before, draft(7, DATES[7]), rules)
    assert_refused(error, "candidate_after_activist", earliest)


def test_a_tenant_may_not_loosen_a_national_rule() -> None:
    with pytest.raises(DomainError) as caught:
        DEFAULT_RULES.tightened(
            {"candidate_after_activist": 11, "approval_within": 4, "training_hours": 23}
        )
    assert caught.value.code == "development_rules_invalid"
    assert {e.field for e in caught.value.errors} == {
        "candidate_after_activist",
        "approval_within",
        "training_hours",
    }
    assert {e.code for e in caught.value.errors} == {"looser_than_national"}


def test_a_local_rule_may_go_either_way_but_not_below_zero() -> None:
    assert (
        DEFAULT_RULES.tightened({"activist_after_application": 3})["activist_after_application"]
        == 3
    )
    with pytest.raises(DomainError):
        DEFAULT_RULES.tightened({"public_notice": -1})
    with pytest.raises(DomainError):
        DEFAULT_RULES.tightened({"no_such_rule": 1})


def test_a_failed_vote_needs_no_notice_and_leaves_the_step_to_take_again() -> None:
    before = file_through(14)
    from domain.development import VoteCount, replay

    failing = VoteCount(entitled=9, present=8, yes=4, no=4, abstain=0)
    after = record(before, draft(15, vote=failing))
    assert after[-1].decision is Decision.REJECTED
    assert replay(after).position == 14
    assert record(after, draft(15, DATES[15] + DAY))[-1].decision is Decision.APPROVED


def test_the_tenant_setting_bounds_are_the_national_rules() -> None:
    """A tenant's settings refuse a loosening when saved: their bounds must be these."""
    from domain.development import RULES, Bound
    from domain.tenancy.settings import DevelopmentTimeRules

    fields = DevelopmentTimeRules.model_fields
    assert set(fields) == set(RULES)
    for code, rule in RULES.items():
        limits = {type(m).__name__: m for m in fields[code].metadata}
        if rule.national is None:
            assert limits["Ge"].ge == 0, code
        elif rule.bound is Bound.MIN:
            assert limits["Ge"].ge == rule.national, code
        else:
            assert limits["Le"].le == rule.national, code
