"""Leave requests (请假): a member asks to be excused; the secretary approves or rejects.

requested → approved | rejected (by the secretary) | withdrawn (by the member). Only an
approved request turns an absence into 请假 in the attendance list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.activities.messages import MESSAGES
from domain.shared.errors import ErrorKind
from domain.shared.ids import new_id

LEAVE_APPROVED = "leave.approved"


class LeaveStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class LeaveRequest:
    """One member's request to be excused from one activity."""

    id: uuid.UUID
    activity_id: uuid.UUID
    member_id: uuid.UUID
    reason: str
    requested_at: datetime
    status: LeaveStatus = LeaveStatus.REQUESTED
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None

    @classmethod
    def request(
        cls, *, activity_id: uuid.UUID, member_id: uuid.UUID, reason: str, now: datetime
    ) -> LeaveRequest:
        cleaned = reason.strip()
        if not cleaned:
            raise MESSAGES.error(
                "leave_reason_required",
                ErrorKind.INVALID,
                errors=[MESSAGES.field("reason", "leave_reason_required", code="required")],
            )
        return cls(
            id=new_id(),
            activity_id=activity_id,
            member_id=member_id,
            reason=cleaned,
            requested_at=now,
        )

    def approve(self, *, by: uuid.UUID, now: datetime, note: str | None = None) -> LeaveRequest:
        return self._decide(LeaveStatus.APPROVED, by=by, now=now, note=note)

    def reject(self, *, by: uuid.UUID, now: datetime, note: str | None = None) -> LeaveRequest:
        return self._decide(LeaveStatus.REJECTED, by=by, now=now, note=note)

    def withdraw(self, *, now: datetime) -> LeaveRequest:
        return self._decide(LeaveStatus.WITHDRAWN, by=self.member_id, now=now, note=None)

    def _decide(
        self, status: LeaveStatus, *, by: uuid.UUID, now: datetime, note: str | None
    ) -> LeaveRequest:
        if self.status is not LeaveStatus.REQUESTED:
            raise MESSAGES.error(
                "leave_already_decided",
                ErrorKind.CONFLICT,
                code="invalid_transition",
                status=self.status.value,
            )
        return replace(
            self,
            status=status,
            decided_by=by,
            decided_at=now,
            decision_note=(note or "").strip() or None,
        )
