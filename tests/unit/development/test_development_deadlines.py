"""What is due next: the same dates the transitions check, kept for the queues."""

from __future__ import annotations

from datetime import date

import pytest
from pipeline_builders import DATES, NOTICES, SECOND_REVIEW, draft, file_through, record

from domain.development import (
    DEFAULT_RULES,
    Decision,
    NextDates,
    Reminder,
    add_months,
    next_dates,
    reminder_of,
    replay,
)


def dates_after(last: int) -> NextDates:
    return next_dates(replay(file_through(last)), DEFAULT_RULES)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (1, NextDates(None, add_months(DATES[1], 1), None)),
        (2, NextDates(add_months(DATES[1], 6), None, None)),
        (3, NextDates(date(2023, 7, 18), None, NOTICES[3].ends_on)),
        (5, NextDates(None, add_months(DATES[3], 6), None)),
        (6, NextDates(add_months(DATES[3], 12), add_months(SECOND_REVIEW, 6), None)),
        (15, NextDates(None, None, None)),
        (16, NextDates(None, add_months(DATES[15], 3), None)),
        (21, NextDates(date(2025, 9, 20), None, None)),
        (23, NextDates(date(2025, 9, 30), add_months(DATES[23], 3), NOTICES[23].ends_on)),
        (25, NextDates(None, None, None)),
    ],
)
def test_next_dates_follow_the_time_rules(last: int, expected: NextDates) -> None:
    assert dates_after(last) == expected


def test_a_file_not_admitted_has_nothing_due() -> None:
    refused = record(file_through(16), draft(17, decision=Decision.REJECTED))
    assert next_dates(replay(refused), DEFAULT_RULES) == NextDates(None, None, None)


@pytest.mark.parametrize(
    ("due_by", "reminder"),
    [
        (date(2024, 3, 9), Reminder.OVERDUE),  # the day after the deadline
        (date(2024, 3, 10), Reminder.DUE),  # the deadline itself
        (date(2024, 3, 17), Reminder.DUE),  # a week ahead
        (date(2024, 3, 18), None),  # a week and a day ahead
        (None, None),
    ],
)
def test_a_reminder_at_each_boundary(due_by: date | None, reminder: Reminder | None) -> None:
    assert reminder_of(due_by, date(2024, 3, 10)) is reminder
