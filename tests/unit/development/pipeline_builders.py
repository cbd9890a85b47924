"""A file walked through the pipeline on fixed dates, and step drafts with what each needs."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.development import (
    DEFAULT_RULES,
    STEP_BY_NUMBER,
    Notice,
    Recorded,
    StepDraft,
    TimeRules,
    VoteCount,
    check_step,
    weekday_working_day,
)

BORN = date(1995, 3, 10)
TODAY = date(2026, 12, 2)
PASSING = VoteCount(entitled=9, present=8, yes=5, no=2, abstain=1)

# The happy path: each step on the date a test may move to its boundary.
DATES: dict[int, date] = {
    1: date(2023, 1, 10),
    2: date(2023, 2, 10),
    3: date(2023, 7, 10),
    4: date(2023, 7, 18),
    5: date(2023, 7, 20),
    6: date(2024, 1, 10),
    7: date(2024, 7, 10),
    8: date(2024, 7, 18),
    9: date(2024, 7, 20),
    10: date(2024, 8, 1),
    11: date(2024, 8, 5),
    12: date(2024, 9, 2),
    13: date(2024, 9, 10),
    14: date(2024, 9, 12),
    15: date(2024, 9, 20),
    16: date(2024, 10, 8),
    17: date(2024, 12, 20),
    18: date(2024, 12, 25),
    19: date(2025, 1, 2),
    20: date(2025, 1, 10),
    21: date(2025, 6, 1),
    22: date(2025, 9, 20),
    23: date(2025, 9, 22),
    24: date(2025, 10, 10),
    25: date(2025, 10, 20),
}
SECOND_REVIEW = date(2024, 6, 1)
"""Reviews come every half year, so a year as activist holds two."""
NOTICES = {
    3: Notice(date(2023, 7, 11), date(2023, 7, 17)),
    7: Notice(date(2024, 7, 11), date(2024, 7, 17)),
    12: Notice(date(2024, 9, 3), date(2024, 9, 9)),
    23: Notice(date(2025, 9, 23), date(2025, 9, 29)),
}


def draft(number: int, on: date | None = None, **changes: Any) -> StepDraft:
    """Step `number` as a careful secretary enters it: documents, meeting, vote, people."""
    step = STEP_BY_NUMBER[number]
    occurred_on = on or DATES[number]
    values: dict[str, Any] = {
        "step": step,
        "occurred_on": occurred_on,
        "documents": frozenset(step.documents),
        "meeting": step.meeting,
        "meeting_on": occurred_on if step.meeting else None,
        "vote": PASSING if step.vote else None,
        "mentor_statuses": ("full",) if step.mentors else (),
        "sponsor_statuses": ("full", "full") if step.sponsors else (),
        "notice": NOTICES.get(number) if step.public_notice else None,
        "training_days": 3 if number == 11 else None,
    }
    values.update(changes)
    return StepDraft(**values)


def record(
    records: tuple[Recorded, ...], d: StepDraft, rules: TimeRules = DEFAULT_RULES
) -> tuple[Recorded, ...]:
    return (
        *records,
        check_step(
            records,
            d,
            birth_date=BORN,
            rules=rules,
            today=TODAY,
            is_working_day=weekday_working_day,
        ),
    )


def file_through(last: int) -> tuple[Recorded, ...]:
    """The happy path's records up to and including step `last`."""
    records: tuple[Recorded, ...] = ()
    for number in range(1, last + 1):
        records = record(records, draft(number))
        if number == 6:
            records = record(records, draft(6, SECOND_REVIEW))
    return records
