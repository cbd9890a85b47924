"""Where an applicant stands, replayed from the steps recorded so far.

The file of recorded steps is the truth; the position, status and key dates follow from
it, so a stored applicant row is only a cache of `replay(records)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.development.pipeline import STEP_BY_NUMBER, Decision, Stage
from domain.development.timing import PROBATION_MONTHS, add_months


class ApplicantStatus(StrEnum):
    """Where the person stands overall."""

    IN_PROGRESS = "in_progress"  # 申请人、积极分子或发展对象
    PROBATIONARY = "probationary"  # 预备党员（接收已获批准）
    FULL = "full"  # 已转正
    NOT_ADMITTED = "not_admitted"  # 上级党委不予批准接收
    REVOKED = "revoked"  # 取消预备党员资格


@dataclass(frozen=True, slots=True)
class Recorded:
    """One step as recorded."""

    step: int
    occurred_on: date
    decision: Decision = Decision.DONE
    notice_ends_on: date | None = None
    extension_months: int | None = None


@dataclass(slots=True)
class State:
    position: int = 0
    """The last step that took effect (0: nothing recorded yet)."""
    status: ApplicantStatus = ApplicantStatus.IN_PROGRESS
    last_on: dict[int, date] = field(default_factory=dict)
    """The latest date each step took effect."""
    notice_ends_on: dict[int, date] = field(default_factory=dict)
    admitted_on: date | None = None
    """预备期起算日: the day the 支部大会 passed the admission."""
    extension_months: int = 0
    """How long an approved extension (延长预备期) made the probation longer."""
    pending_extension: int = 0
    extended: bool = False
    pending_motion: Decision | None = None
    """What the last passing 转正 vote decided, awaiting the 党委's approval."""
    full_member_on: date | None = None

    @property
    def stage(self) -> Stage:
        """The stage of the next step (the last one once the file is archived)."""
        upcoming = STEP_BY_NUMBER.get(self.position + 1) or STEP_BY_NUMBER[self.position]
        return upcoming.stage

    @property
    def probation_ends_on(self) -> date | None:
        """预备期满之日: the day 转正 is possible and 党龄 counts from."""
        if self.admitted_on is None:
            return None
        return add_months(self.admitted_on, PROBATION_MONTHS + self.extension_months)


def replay(records: Sequence[Recorded]) -> State:
    """The state after `records`, applied in order."""
    state = State()
    for record in records:
        apply(state, record)
    return state


def apply(state: State, record: Recorded) -> None:
    """Let one recorded step take effect (a refused or failed decision changes little)."""
    number, decision = record.step, record.decision
    if decision is Decision.REJECTED:
        if number == 17:
            state.status = ApplicantStatus.NOT_ADMITTED
        return  # a failed vote, pre-review or 转正 approval: the step is taken again
    state.position = number
    state.last_on[number] = record.occurred_on
    if record.notice_ends_on is not None:
        state.notice_ends_on[number] = record.notice_ends_on
    if number == 15:
        state.admitted_on = record.occurred_on
    elif number == 17:
        state.status = ApplicantStatus.PROBATIONARY
    elif number == 23:
        state.pending_motion = decision
        state.pending_extension = record.extension_months or 0
    elif number == 24:
        _approve_motion(state)


def _approve_motion(state: State) -> None:
    motion, state.pending_motion = state.pending_motion, None
    if motion is Decision.EXTEND:
        state.extended = True
        state.extension_months = state.pending_extension
        state.position = 21  # continued review until the extended probation ends
    elif motion is Decision.REVOKE:
        state.status = ApplicantStatus.REVOKED
    else:
        state.status = ApplicantStatus.FULL
        state.full_member_on = state.probation_ends_on
