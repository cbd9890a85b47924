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
from domain.activities.checkin_records import CHECKIN_RECORDED, CHECKIN_WITHDRAWN
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
from domain.activities.messages import MESSAGES
from domain.activities.obligations import Obligations, tracked_kinds
from domain.activities.periods import (
    ComplianceRange,
    history_start,
    overlapping,
    parse_period,
    period_label,
)
from domain.activities.plan import EDITABLE_FIELDS, check_schedule_and_place
from domain.activities.roster import (
    ExpectedAttendees,
    MemberStatus,
    RosterEntry,
    credited_organization,
    expected_attendees,
    on_path,
)

__all__ = [
    "CHECKIN_RECORDED",
    "CHECKIN_WITHDRAWN",
    "DEFAULT_FREQUENCIES",
    "EDITABLE_FIELDS",
    "MESSAGES",
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
    "ComplianceRange",
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
    "Obligations",
    "Period",
    "PeriodCompliance",
    "Quorum",
    "RosterEntry",
    "allowed_transitions",
    "attendance",
    "change_status",
    "check_schedule_and_place",
    "compliance",
    "credited_organization",
    "distance_m",
    "evaluate_batch",
    "evaluate_checkin",
    "expected_attendees",
    "frequencies_from_settings",
    "history_start",
    "mint_checkin_token",
    "on_path",
    "overlapping",
    "parse_period",
    "period_label",
    "period_of",
    "quorum",
    "rollup",
    "token_step",
    "tracked_kinds",
    "verify_checkin_token",
]
