"""What a recorded check-in tells the rest of the system: its event and its audit entry.

Both write paths take them from here: the unit of work (secretary marks, offline sync, a
member naming themselves) and the hot path's SQL function, which receives them built
(`infra.activities.checkin_records`) and only inserts them. Points accrual and later
consumers read the `checkin.recorded` payload, so its fields are a published contract.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CHECKIN_RECORDED = "checkin.recorded"
CHECKIN_WITHDRAWN = "checkin.withdrawn"
CHECKIN_CREATE = "checkin.create"


@dataclass(frozen=True, slots=True)
class RecordedCheckin:
    """The facts of one check-in as written."""

    checkin_id: uuid.UUID
    activity_id: uuid.UUID
    member_id: uuid.UUID
    source: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """An outbox event: ordered per aggregate, payload in plain JSON types."""

    topic: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An audit record without its actor (the writer adds who and from where)."""

    action: str
    resource_type: str
    resource_id: str
    detail: dict[str, Any]
    outcome: str = "success"


def recorded_event(c: RecordedCheckin) -> DomainEvent:
    """`checkin.recorded`, one per check-in written, in the activity's order."""
    return DomainEvent(
        topic=CHECKIN_RECORDED,
        aggregate_type="activity",
        aggregate_id=str(c.activity_id),
        payload={
            "checkin_id": str(c.checkin_id),
            "activity_id": str(c.activity_id),
            "member_id": str(c.member_id),
            "source": c.source,
            "occurred_at": c.occurred_at.isoformat(),
        },
    )


def withdrawn_event(c: RecordedCheckin) -> DomainEvent:
    """`checkin.withdrawn`: a check-in removed as recorded in error (更正); consumers undo
    what they derived from its `checkin.recorded` (points accrual reverses its entries)."""
    return DomainEvent(
        topic=CHECKIN_WITHDRAWN,
        aggregate_type="activity",
        aggregate_id=str(c.activity_id),
        payload={
            "checkin_id": str(c.checkin_id),
            "activity_id": str(c.activity_id),
            "member_id": str(c.member_id),
            "source": c.source,
            "occurred_at": c.occurred_at.isoformat(),
        },
    )


def creation_audit(c: RecordedCheckin) -> AuditEntry:
    """`checkin.create`, for a check-in made online (an offline sync audits its batch)."""
    return AuditEntry(
        action=CHECKIN_CREATE,
        resource_type="checkin",
        resource_id=str(c.checkin_id),
        detail={
            "activity_id": str(c.activity_id),
            "member_id": str(c.member_id),
            "source": c.source,
        },
    )
