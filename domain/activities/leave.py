"""Leave requests (请假): a member asks to be excused; the secretary approves or rejects.

requested → approved | rejected (by the secretary) | withdrawn (by the member). Only an
approved request turns an absence into 请假 in the attendance list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.shared.errors import DomainError, FieldError, Message
from domain.shared.ids import new_id


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
            message = Message(zh="请假须填写事由。", en="A leave request needs a reason.")
            raise DomainError(
                code="leave_reason_required",
                message=message,
                errors=[FieldError("reason", "required", message)],
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
            raise DomainError(
                code="invalid_transition",
                message=Message(
                    zh="该请假申请已处理，不能再次变更。",
                    en=f"This leave request is already {self.status.value}.",
                ),
                status=409,
            )
        return replace(
            self,
            status=status,
            decided_by=by,
            decided_at=now,
            decision_note=(note or "").strip() or None,
        )
