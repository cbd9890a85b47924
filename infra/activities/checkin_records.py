"""A check-in's records as rows, for both write paths.

The event and the audit entry are defined in `domain.activities.checkin_records`; the row
shapes belong to the outbox, the audit trail and the idempotency store. The unit of work
adds them through those modules (`emit_recorded`, `audit_created`); the hot path sends
them built (`hot_path_item`) to `zhibu_record_self_checkins` (sql/), which only inserts
them. tests/integration/activities/test_checkin_paths.py compares what both write.
"""

from __future__ import annotations

import uuid
from typing import Any

from domain.activities.checkin_records import (
    DomainEvent,
    RecordedCheckin,
    creation_audit,
    recorded_event,
    withdrawn_event,
)
from infra.activities.tables import Checkin
from infra.db.session import Actor, AuditRecord, UnitOfWork, audit_row
from infra.platform import outbox


def recorded(row: Checkin) -> RecordedCheckin:
    return RecordedCheckin(
        checkin_id=row.id,
        activity_id=row.activity_id,
        member_id=row.member_id,
        source=row.source,
        occurred_at=row.occurred_at,
    )


def emit_recorded(uow: UnitOfWork, row: Checkin, organizer: uuid.UUID) -> None:
    """Queue the check-in's `checkin.recorded` event in the unit of work, placed at the
    activity's organizer."""
    _emit(uow, row, recorded_event(recorded(row)), organizer)


def emit_withdrawn(uow: UnitOfWork, row: Checkin, organizer: uuid.UUID) -> None:
    """Queue `checkin.withdrawn` for a check-in removed in error."""
    _emit(uow, row, withdrawn_event(recorded(row)), organizer)


def _emit(uow: UnitOfWork, row: Checkin, event: DomainEvent, organizer: uuid.UUID) -> None:
    outbox.emit(
        uow,
        tenant_id=row.tenant_id,
        topic=event.topic,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        payload=event.payload,
        organization_id=organizer,
    )


def audit_created(uow: UnitOfWork, row: Checkin) -> None:
    """Record the check-in's `checkin.create` audit event in the unit of work."""
    entry = creation_audit(recorded(row))
    uow.audit(
        entry.action,
        entry.resource_type,
        entry.resource_id,
        tenant_id=row.tenant_id,
        outcome=entry.outcome,
        detail=entry.detail,
    )


def hot_path_item(
    checkin: dict[str, Any], actor: Actor, stored: dict[str, Any] | None
) -> dict[str, Any]:
    """One item of `zhibu_record_self_checkins`: the `checkin` row's columns with the rows
    the unit of work would write for a check-in made online, and `stored`
    (`idempotency.stored_row`) if a key was sent. Plain dicts: this runs per check-in."""
    fact = RecordedCheckin(
        checkin_id=checkin["id"],
        activity_id=checkin["activity_id"],
        member_id=checkin["member_id"],
        source=checkin["source"],
        occurred_at=checkin["occurred_at"],
    )
    event = recorded_event(fact)
    entry = creation_audit(fact)
    tenant_id = checkin["tenant_id"]
    return {
        "checkin": checkin,
        "outbox": outbox.event_row(
            tenant_id=tenant_id,
            topic=event.topic,
            aggregate_type=event.aggregate_type,
            aggregate_id=event.aggregate_id,
            payload=event.payload,
            organization_id=None,  # the activity's organizer, set by the SQL function
        ),
        "audit": audit_row(
            actor,
            AuditRecord(
                action=entry.action,
                resource_type=entry.resource_type,
                resource_id=entry.resource_id,
                outcome=entry.outcome,
                tenant_id=tenant_id,
                detail=entry.detail,
            ),
        ),
        "idempotency": None if stored is None else {k: _bytea(v) for k, v in stored.items()},
    }


def _bytea(value: object) -> object:
    """bytea as PostgreSQL reads it from JSON text (`\\x` and hex)."""
    return "\\x" + value.hex() if isinstance(value, bytes) else value
