"""Member development (发展党员): the 25-step pipeline, its time rules, votes and approvals."""

from domain.development.applicants import (
    ApplicantDraft,
    name_errors,
    optional_text,
    organization_errors,
)
from domain.development.authority import (
    OrgNode,
    approving_organization,
    check_approver,
    may_approve,
)
from domain.development.deadlines import NextDates, next_dates
from domain.development.messages import MESSAGES
from domain.development.pipeline import (
    LAST_STEP,
    STEP_BY_CODE,
    STEP_BY_NUMBER,
    STEPS,
    Body,
    Decision,
    Document,
    Meeting,
    Stage,
    Step,
    step_named,
)
from domain.development.state import ApplicantStatus, Recorded, State, replay
from domain.development.timing import (
    DEFAULT_RULES,
    RULES,
    Bound,
    TimeRule,
    TimeRules,
    Unit,
    WorkingDay,
    add_months,
    weekday_working_day,
    working_days,
)
from domain.development.transitions import Notice, StepDraft, adulthood, check_step, next_steps
from domain.development.votes import VoteCount

__all__ = [
    "DEFAULT_RULES",
    "LAST_STEP",
    "MESSAGES",
    "RULES",
    "STEPS",
    "STEP_BY_CODE",
    "STEP_BY_NUMBER",
    "ApplicantDraft",
    "ApplicantStatus",
    "Body",
    "Bound",
    "Decision",
    "Document",
    "Meeting",
    "NextDates",
    "Notice",
    "OrgNode",
    "Recorded",
    "Stage",
    "State",
    "Step",
    "StepDraft",
    "TimeRule",
    "TimeRules",
    "Unit",
    "VoteCount",
    "WorkingDay",
    "add_months",
    "adulthood",
    "approving_organization",
    "check_approver",
    "check_step",
    "may_approve",
    "name_errors",
    "next_dates",
    "next_steps",
    "optional_text",
    "organization_errors",
    "replay",
    "step_named",
    "weekday_working_day",
    "working_days",
]
