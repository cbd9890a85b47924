"""Activities adapters: tables and use cases for 三会一课 and other activities, check-in, leave.

What other contexts may use is re-exported here; they import nothing else of this package.
"""

from infra.activities.fast_checkin import CheckinDesk
from infra.activities.indicators import (
    attendance_rates,
    held_activities,
    meeting_compliance_rates,
)
from infra.activities.seen import SeenActivity, activity_kinds, activity_seen_by
from infra.activities.visibility import Caller

__all__ = [
    "Caller",
    "CheckinDesk",
    "SeenActivity",
    "activity_kinds",
    "activity_seen_by",
    "attendance_rates",
    "held_activities",
    "meeting_compliance_rates",
]
