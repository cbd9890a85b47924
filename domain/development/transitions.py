"""The transition rules (发展程序的检查): may this step be recorded now, as given?

`check_step` is pure: it takes the applicant's recorded file, the step as entered and the
time rules in force, and returns the record to store, or raises. A step that breaks a
time or order rule is refused (409 `development_step_refused`) naming the rule (`rule`)
and the earliest date the step becomes possible (`possible_from`, null when waiting will
not help: a deadline has passed). Missing documents, meetings, votes or people are input
faults (422), all reported at once. Rules and their sources: domain-rules §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.development.messages import MESSAGES
from domain.development.pipeline import LAST_STEP, STEP_BY_NUMBER, Decision, Document, Step
from domain.development.state import ApplicantStatus, Recorded, State, replay
from domain.development.timing import (
    ADULT_AGE_YEARS,
    EXTENSION_MONTHS,
    TimeRules,
    WorkingDay,
    add_months,
    notice_end,
    working_days,
)
from domain.development.votes import VoteCount
from domain.shared.errors import DomainError, ErrorKind, FieldError


@dataclass(frozen=True, slots=True)
class Notice:
    """公示: the days it runs, both included."""

    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class StepDraft:
    """A step as entered. People are given by their member status (infra looks them up)."""

    step: Step
    occurred_on: date
    decision: Decision | None = None
    documents: frozenset[Document] = frozenset()
    meeting: str | None = None
    """The kind of the activity given as the meeting (a `Meeting` value when it is one);
    None when none was given."""
    meeting_on: date | None = None
    vote: VoteCount | None = None
    mentor_statuses: tuple[str | None, ...] = ()
    sponsor_statuses: tuple[str | None, ...] = ()
    notice: Notice | None = None
    training_days: int | None = None
    training_hours: int | None = None
    leaving_unit_soon: bool = False
    """第二十一条: a candidate who leaves their unit within 3 months is generally not admitted."""
    special_circumstances: bool = False
    """特殊情况: approval may take up to 6 months instead of 3."""
    extension_months: int | None = None


def refused(rule: str, possible_from: date | None, **params: object) -> DomainError:
    """The refusal of a step by `rule`, with the earliest date it becomes possible."""
    message = MESSAGES.message(f"rule:{rule}", **params)
    return DomainError(
        "development_step_refused",
        message,
        kind=ErrorKind.CONFLICT,
        errors=[FieldError("occurred_on", rule, message)],
        extra={"rule": rule, "possible_from": possible_from.isoformat() if possible_from else None},
    )


def adulthood(birth_date: date) -> date:
    """The 18th birthday (29 February births: 1 March in common years)."""
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE_YEARS)
    except ValueError:
        return date(birth_date.year + ADULT_AGE_YEARS, 3, 1)


def next_steps(position: int, status: ApplicantStatus) -> tuple[int, ...]:
    """The steps that may be recorded next (a repeatable step again, or the one after)."""
    if status is ApplicantStatus.NOT_ADMITTED or position >= LAST_STEP:
        return ()
    current = STEP_BY_NUMBER.get(position)
    following = (position + 1,)
    return (position, *following) if current and current.repeatable else following


def check_step(
    records: tuple[Recorded, ...],
    draft: StepDraft,
    *,
    birth_date: date,
    rules: TimeRules,
    today: date,
    is_working_day: WorkingDay,
) -> Recorded:
    """The record to store for `draft`, or the refusal."""
    state = replay(records)
    step, on = draft.step, draft.occurred_on
    _check_order(state, step)
    if on > today:
        raise refused("not_in_future", None, today=today.isoformat())
    latest = max((r.occurred_on for r in records), default=None)
    if latest is not None and on < latest:
        raise refused("after_previous_step", latest, previous=latest.isoformat())
    decision = _decision(draft)
    _check_input(state, draft, decision, rules)
    _check_time(state, draft, decision, birth_date=birth_date, rules=rules, work=is_working_day)
    return Recorded(
        step=step.number,
        occurred_on=on,
        decision=decision,
        notice_ends_on=draft.notice.ends_on if draft.notice else None,
        extension_months=draft.extension_months if decision is Decision.EXTEND else None,
    )


def _check_order(state: State, step: Step) -> None:
    allowed = next_steps(state.position, state.status)
    if not allowed:
        raise refused("file_closed", None)
    if step.number not in allowed:
        expected = STEP_BY_NUMBER[allowed[-1]]
        raise refused("step_order", None, expected=expected.number, expected_zh=expected.zh)


def _decision(draft: StepDraft) -> Decision:
    """What the step decided: a vote's outcome is computed from its counts, never typed."""
    step = draft.step
    if step.vote and draft.vote is not None and not draft.vote.passed:
        return Decision.REJECTED
    if step.number == 15 and draft.vote is not None:
        return Decision.APPROVED
    return draft.decision or step.decisions[0]


def _check_input(state: State, draft: StepDraft, decision: Decision, rules: TimeRules) -> None:
    step, errors = draft.step, list[FieldError]()
    if draft.decision is not None and draft.decision not in step.decisions:
        errors.append(
            MESSAGES.field("decision", "development_decision_not_allowed", code="not_allowed")
        )
    if step.number == 15 and draft.decision is not None:
        errors.append(MESSAGES.field("decision", "development_decision_computed", code="computed"))
    missing = [d.value for d in step.documents if d not in draft.documents]
    if missing:
        errors.append(
            MESSAGES.field(
                "documents",
                "development_documents_missing",
                code="missing",
                kinds=", ".join(missing),
            )
        )
    errors += _meeting_errors(draft)
    errors += _people_errors("mentors", step.mentors, draft.mentor_statuses)
    errors += _people_errors("sponsors", step.sponsors, draft.sponsor_statuses)
    if step.public_notice and decision is not Decision.REJECTED and draft.notice is None:
        errors.append(MESSAGES.field("notice", "development_notice_required", code="required"))
    if step.number == 11 and draft.training_days is None and draft.training_hours is None:
        errors.append(MESSAGES.field("training", "development_training_required", code="required"))
    if decision is Decision.EXTEND:
        errors += _extension_errors(state, draft.extension_months)
    if errors:
        raise MESSAGES.error("development_step_invalid", errors=errors, count=len(errors))


def _meeting_errors(draft: StepDraft) -> list[FieldError]:
    step, errors = draft.step, list[FieldError]()
    if step.meeting is not None:
        if draft.meeting is None:
            errors.append(
                MESSAGES.field(
                    "meeting_id",
                    "development_meeting_required",
                    code="required",
                    kind=step.meeting.value,
                )
            )
        elif draft.meeting != step.meeting:
            errors.append(
                MESSAGES.field(
                    "meeting_id",
                    "development_meeting_kind",
                    code="wrong_kind",
                    kind=step.meeting.value,
                )
            )
        elif draft.meeting_on != draft.occurred_on:
            errors.append(
                MESSAGES.field("occurred_on", "development_meeting_day", code="not_meeting_day")
            )
    if step.vote:
        if draft.vote is None:
            errors.append(MESSAGES.field("vote", "development_vote_required", code="required"))
        else:
            errors += draft.vote.errors()
    elif draft.vote is not None:
        errors.append(MESSAGES.field("vote", "development_vote_not_taken", code="not_allowed"))
    return errors


def _people_errors(
    field: str, bounds: tuple[int, int] | None, statuses: tuple[str | None, ...]
) -> list[FieldError]:
    if bounds is None:
        if statuses:
            return [MESSAGES.field(field, "development_people_not_named", code="not_allowed")]
        return []
    least, most = bounds
    if not least <= len(statuses) <= most:
        return [
            MESSAGES.field(
                field, f"development_{field}_count", code="count", least=least, most=most
            )
        ]
    return [
        MESSAGES.field(f"{field}[{index}]", "development_not_full_member", code="not_full_member")
        for index, status in enumerate(statuses)
        if status != "full"
    ]


def _extension_errors(state: State, months: int | None) -> list[FieldError]:
    if state.extended:
        return [MESSAGES.field("decision", "development_extended_once", code="extended_once")]
    least, most = EXTENSION_MONTHS
    if months is None or not least <= months <= most:
        return [
            MESSAGES.field(
                "extension_months",
                "development_extension_range",
                code="range",
                least=least,
                most=most,
            )
        ]
    return []


def _check_time(
    state: State,
    draft: StepDraft,
    decision: Decision,
    *,
    birth_date: date,
    rules: TimeRules,
    work: WorkingDay,
) -> None:
    number, on = draft.step.number, draft.occurred_on
    previous_notice = state.notice_ends_on.get(number - 1)
    if previous_notice is not None and on <= previous_notice:
        raise refused(
            "public_notice_running",
            previous_notice + timedelta(days=1),
            ends_on=previous_notice.isoformat(),
        )
    if draft.notice is not None and decision is not Decision.REJECTED:
        _check_notice(draft.notice, on, rules["public_notice"], work)
    applied_on = state.last_on.get(1)
    if number == 1:
        _at_least("adult_age", on, adulthood(birth_date))
    elif number == 2 and applied_on is not None:
        _at_most("talk_within", on, add_months(applied_on, rules["talk_within"]))
    elif number == 3 and applied_on is not None:
        _at_least(
            "activist_after_application",
            on,
            add_months(applied_on, rules["activist_after_application"]),
        )
    elif number in (6, 7):
        _check_reviews(state, number, on, rules)
    elif number == 11:
        _check_training(draft, rules)
    elif number == 13 and draft.leaving_unit_soon and decision is Decision.APPROVED:
        raise refused("leaving_unit_soon", None)
    elif number in (17, 24):
        _check_approval(state, draft, rules)
    elif number in (22, 23):
        ends = state.probation_ends_on
        if ends is not None:
            _at_least("probation", on, ends)


def _at_least(rule: str, on: date, earliest: date) -> None:
    if on < earliest:
        raise refused(rule, earliest, earliest=earliest.isoformat())


def _at_most(rule: str, on: date, deadline: date) -> None:
    if on > deadline:
        raise refused(rule, None, deadline=deadline.isoformat())


def _check_notice(notice: Notice, on: date, days: int, work: WorkingDay) -> None:
    if notice.starts_on < on or notice.ends_on < notice.starts_on:
        raise MESSAGES.error(
            "development_step_invalid",
            errors=[MESSAGES.field("notice", "development_notice_dates", code="dates")],
            count=1,
        )
    if working_days(notice.starts_on, notice.ends_on, work) < days:
        earliest = notice_end(notice.starts_on, days, work)
        raise refused("public_notice", None, days=days, earliest=earliest.isoformat())


def _check_reviews(state: State, number: int, on: date, rules: TimeRules) -> None:
    """Reviews every half year (第十条); a candidate after a year as activist (第十三条)."""
    activist_on = state.last_on.get(3)
    if activist_on is None:
        return
    last_review = max(state.last_on.get(6, activist_on), activist_on)
    if number == 7:
        _at_least(
            "candidate_after_activist",
            on,
            add_months(activist_on, rules["candidate_after_activist"]),
        )
    _at_most("review_interval", on, add_months(last_review, rules["review_interval"]))


def _check_training(draft: StepDraft, rules: TimeRules) -> None:
    enough_days = (draft.training_days or 0) >= rules["training_days"]
    enough_hours = (draft.training_hours or 0) >= rules["training_hours"]
    if not (enough_days or enough_hours):
        raise refused(
            "training_minimum", None, days=rules["training_days"], hours=rules["training_hours"]
        )


def _check_approval(state: State, draft: StepDraft, rules: TimeRules) -> None:
    """基层党委 approves within 3 months of the 支部大会, at most 6 in special cases."""
    vote_on = state.last_on.get(15 if draft.step.number == 17 else 23)
    if vote_on is None:
        return
    rule = "approval_within_special" if draft.special_circumstances else "approval_within"
    _at_most(rule, draft.occurred_on, add_months(vote_on, rules[rule]))
