"""Party activities (党组织活动): kinds, lifecycle, attendees, check-in, leave, attendance,
quorum and the compliance calendar. Pure rules, no I/O."""

from domain.activities.attendance import (
    Attendance,
    AttendanceLine,
    AttendanceStatus,
    Quorum,
    attendance,
    quorum,
)
from domain.activities.checkin import (
    CheckinAttempt,
    CheckinDecision,
    CheckinMethod,
    CheckinOutcome,
    CheckinReason,
    CheckinRules,
    CheckinSettings,
    evaluate_batch,
    evaluate_checkin,
)
from domain.activities.checkin_token import (
    TOKEN_STEP_SECONDS,
    mint_checkin_token,
    token_step,
    verify_checkin_token,
)
from domain.activities.compliance import (
    DEFAULT_FREQUENCIES,
    ComplianceStatus,
    Frequency,
    HeldActivity,
    KindRollup,
    Period,
    PeriodCompliance,
    compliance,
    frequencies_from_settings,
    period_of,
    rollup,
)
from domain.activities.geo import Geofence, GeoPoint, distance_m
from domain.activities.kinds import ActivityKind
from domain.activities.leave import LeaveRequest, LeaveStatus
from domain.activities.lifecycle import ActivityStatus, allowed_transitions, change_status
from domain.activities.roster import (
    ExpectedAttendees,
    MemberStatus,
    RosterEntry,
    expected_attendees,
)

__all__ = [
    "DEFAULT_FREQUENCIES",
    "TOKEN_STEP_SECONDS",
    "ActivityKind",
    "ActivityStatus",
    "Attendance",
    "AttendanceLine",
    "AttendanceStatus",
    "CheckinAttempt",
    "CheckinDecision",
    "CheckinMethod",
    "CheckinOutcome",
    "CheckinReason",
    "CheckinRules",
    "CheckinSettings",
    "ComplianceStatus",
    "ExpectedAttendees",
    "Frequency",
    "GeoPoint",
    "Geofence",
    "HeldActivity",
    "KindRollup",
    "LeaveRequest",
    "LeaveStatus",
    "MemberStatus",
    "Period",
    "PeriodCompliance",
    "Quorum",
    "RosterEntry",
    "allowed_transitions",
    "attendance",
    "change_status",
    "compliance",
    "distance_m",
    "evaluate_batch",
    "evaluate_checkin",
    "expected_attendees",
    "frequencies_from_settings",
    "mint_checkin_token",
    "period_of",
    "quorum",
    "rollup",
    "token_step",
    "verify_checkin_token",
]
