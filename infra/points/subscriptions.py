"""The points context's outbox handlers, registered with the relay by this context."""

from __future__ import annotations

from domain.activities import (
    ABSENCE_RECORDED,
    CHECKIN_RECORDED,
    CHECKIN_WITHDRAWN,
    LEAVE_RECORDED,
    VOLUNTEER_HOURS_RECORDED,
)
from infra.db.session import UnitOfWork
from infra.platform.relay import BatchSubscription, Relay, RelayedEvent, Subscription
from infra.points.accrual import (
    EVIDENCE_ATTACHED,
    EVIDENCE_DELETED,
    attendance_records,
    checkin_records,
    evidence_records,
)
from infra.points.settling import settle_records


async def accrue(uow: UnitOfWork, events: list[RelayedEvent]) -> None:
    """Points from attendance: a tenant's check-ins and withdrawals of a relay round,
    booked together in event order. Settling books only what is missing, so an event
    applied twice adds nothing (`idempotent`)."""
    await settle_records(uow, events[0].tenant_id, await checkin_records(uow, events))


async def accrue_attendance_records(uow: UnitOfWork, events: list[RelayedEvent]) -> None:
    """Points from leave, absences and volunteer hours as the archived activity's closed
    attendance list records them, a tenant's batch at a time; idempotent as for check-ins."""
    await settle_records(uow, events[0].tenant_id, attendance_records(events))


async def accrue_evidence(uow: UnitOfWork, event: RelayedEvent) -> None:
    """Points for evidence a member uploaded (`evidence_upload` items), reversed on deletion."""
    await settle_records(uow, event.tenant_id, await evidence_records(uow, event))


def register_relay_handlers(relay: Relay) -> None:
    relay.register(
        "points.accrue_attendance",
        BatchSubscription(
            accrue, frozenset({CHECKIN_RECORDED, CHECKIN_WITHDRAWN}), idempotent=True
        ),
    )
    relay.register(
        "points.accrue_leave_absence_volunteer",
        BatchSubscription(
            accrue_attendance_records,
            frozenset({LEAVE_RECORDED, ABSENCE_RECORDED, VOLUNTEER_HOURS_RECORDED}),
            idempotent=True,
        ),
    )
    relay.register(
        "points.accrue_evidence",
        Subscription(accrue_evidence, frozenset({EVIDENCE_ATTACHED, EVIDENCE_DELETED})),
    )
