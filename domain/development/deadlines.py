"""What is due next in a file (待办和逾期): the earliest day the next step is possible and
the day by which it must happen, from the same time rules the transitions check.

Kept on the applicant row after every step, so the queues of an organization (who is due
for a talk, a review, a vote, an approval; what is overdue; which notices are open) are
index reads, not a replay of every file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.development.pipeline import LAST_STEP
from domain.development.state import ApplicantStatus, State
from domain.development.timing import TimeRules, add_months


@dataclass(frozen=True, slots=True)
class NextDates:
    possible_from: date | None
    """The next step is refused before this day (a least span or a running notice)."""
    due_by: date | None
    """The next step is refused after this day (a deadline of the 细则)."""
    notice_ends_on: date | None
    """The last day of the notice the latest step put up, when it has one."""


def next_dates(state: State, rules: TimeRules) -> NextDates:
    """The dates that bound the next step of a file in `state`. An activist's next step is
    a review or candidacy: the review is due by `due_by`, candidacy possible from
    `possible_from`."""
    notice = state.notice_ends_on.get(state.position)
    if state.status is ApplicantStatus.NOT_ADMITTED or state.position >= LAST_STEP:
        return NextDates(None, None, notice)
    earliest: list[date] = [notice + timedelta(days=1)] if notice else []
    due: list[date] = []
    nxt, on = state.position + 1, state.last_on
    if nxt == 2 and 1 in on:
        due.append(add_months(on[1], rules["talk_within"]))
    elif nxt == 3 and 1 in on:
        earliest.append(add_months(on[1], rules["activist_after_application"]))
    elif nxt in (6, 7) and 3 in on:
        last_review = max(on.get(6, on[3]), on[3])
        due.append(add_months(last_review, rules["review_interval"]))
        if state.position == 6:
            earliest.append(add_months(on[3], rules["candidate_after_activist"]))
    elif nxt == 17 and 15 in on:
        due.append(add_months(on[15], rules["approval_within"]))
    elif nxt in (22, 23) and state.probation_ends_on is not None:
        earliest.append(state.probation_ends_on)
    elif nxt == 24 and 23 in on:
        due.append(add_months(on[23], rules["approval_within"]))
    return NextDates(max(earliest, default=None), min(due, default=None), notice)


REMINDER_LEAD = timedelta(days=7)
"""How long before its deadline a step is announced as due."""


class Reminder(StrEnum):
    """The deadline reminders of a file's next step (期限提醒), each sent once per deadline."""

    DUE = "step_due"
    OVERDUE = "step_overdue"

    @property
    def topic(self) -> str:
        return f"applicant.{self.value}"


def reminder_of(
    due_by: date | None, today: date, lead: timedelta = REMINDER_LEAD
) -> Reminder | None:
    """Overdue the day after `due_by` (the queues' rule), due from `lead` before it."""
    if due_by is None:
        return None
    if due_by < today:
        return Reminder.OVERDUE
    if due_by <= today + lead:
        return Reminder.DUE
    return None
