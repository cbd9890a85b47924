"""Attendance (出勤) and quorum (到会人数是否符合规定) of one activity.

All counts are integers and all comparisons are exact: a quorum of "more than half" is
`2 * present > base`, never a float ratio.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from domain.activities.kinds import ActivityKind
from domain.activities.roster import MemberStatus, RosterEntry

ABSENCE_RECORDED = "attendance.absence_recorded"
LEAVE_RECORDED = "attendance.leave_recorded"
VOLUNTEER_HOURS_RECORDED = "attendance.volunteer_hours_recorded"


class AttendanceStatus(StrEnum):
    """出席 / 请假 / 缺席."""

    PRESENT = "present"
    ON_LEAVE = "on_leave"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class AttendanceLine:
    member_id: uuid.UUID
    organization_id: uuid.UUID
    member_status: MemberStatus
    is_committee_member: bool
    status: AttendanceStatus


@dataclass(frozen=True, slots=True)
class Attendance:
    """One line per expected attendee, in the expected list's order."""

    lines: tuple[AttendanceLine, ...]

    def count(self, status: AttendanceStatus) -> int:
        return sum(1 for line in self.lines if line.status is status)

    @property
    def expected(self) -> int:
        return len(self.lines)

    @property
    def present(self) -> int:
        return self.count(AttendanceStatus.PRESENT)

    @property
    def on_leave(self) -> int:
        return self.count(AttendanceStatus.ON_LEAVE)

    @property
    def absent(self) -> int:
        return self.count(AttendanceStatus.ABSENT)

    @property
    def rate(self) -> Fraction | None:
        """出勤率: present over expected; None when nobody was expected."""
        return Fraction(self.present, self.expected) if self.expected else None

    @property
    def rate_excluding_leave(self) -> Fraction | None:
        """Present over those expected and not excused, as some reports ask for."""
        base = self.expected - self.on_leave
        return Fraction(self.present, base) if base else None

    def for_organization(self, organization_id: uuid.UUID) -> Attendance:
        """One organization's share of a joint activity (联学联建)."""
        return Attendance(tuple(ln for ln in self.lines if ln.organization_id == organization_id))


def attendance(
    expected: Iterable[RosterEntry],
    present_member_ids: Iterable[uuid.UUID],
    approved_leave_member_ids: Iterable[uuid.UUID],
) -> Attendance:
    """Mark each expected attendee present, on leave or absent.

    `present_member_ids` are members with an accepted check-in, whether self or marked by
    the secretary. A member on approved leave who came anyway counts as present. Check-ins
    of people not expected are ignored here (they are not on the list).
    """
    present = frozenset(present_member_ids)
    on_leave = frozenset(approved_leave_member_ids)
    lines = []
    for entry in expected:
        if entry.member_id in present:
            status = AttendanceStatus.PRESENT
        elif entry.member_id in on_leave:
            status = AttendanceStatus.ON_LEAVE
        else:
            status = AttendanceStatus.ABSENT
        lines.append(
            AttendanceLine(
                entry.member_id,
                entry.organization_id,
                entry.status,
                entry.is_committee_member,
                status,
            )
        )
    return Attendance(tuple(lines))


@dataclass(frozen=True, slots=True)
class Quorum:
    """Whether enough of those who count were present (`2 * present > base`)."""

    base: int
    present: int

    @property
    def required(self) -> int:
        """The smallest number present that is more than half of the base."""
        return self.base // 2 + 1

    @property
    def met(self) -> bool:
        return self.base > 0 and 2 * self.present > self.base


def quorum(kind: ActivityKind, result: Attendance) -> Quorum | None:
    """The quorum of a meeting that has one; None for other kinds.

    支部党员大会 (支部工作条例; 发展党员工作细则): valid when more than half of the
    members entitled to vote are present. Probationary members have no vote and are left out
    of both the base and the count. Members on approved leave keep their vote, so they stay
    in the base: leave excuses the absence, it does not lower the quorum. The base is the
    voting members on the expected list, so a member the secretary removed from the list
    (for example one working away with a 流动党员活动证) is not counted.

    支委会: valid when more than half of the committee members are present.
    """
    if kind is ActivityKind.BRANCH_CONGRESS:
        counted = [ln for ln in result.lines if ln.member_status is MemberStatus.FULL]
    elif kind is ActivityKind.COMMITTEE_MEETING:
        counted = [ln for ln in result.lines if ln.is_committee_member]
    else:
        return None
    present = sum(1 for ln in counted if ln.status is AttendanceStatus.PRESENT)
    return Quorum(base=len(counted), present=present)


def volunteer_hours(starts_at: datetime, ends_at: datetime) -> int:
    """志愿服务时长 of a volunteer activity: its scheduled length in whole hours (rounded
    down), what the branch planned and closed, never time spent online in the app."""
    return max(int((ends_at - starts_at).total_seconds()) // 3600, 0)
