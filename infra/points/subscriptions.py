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
    Lookups,
    absence_recorded,
    checkin_recorded,
    checkin_withdrawn,
    evidence_attached,
    evidence_deleted,
    leave_recorded,
    volunteer_hours_recorded,
)


async def accrue(uow: UnitOfWork, events: list[RelayedEvent]) -> None:
    """Points from attendance, in the order the relay hands the check-ins' events on.
    Settling a cap group books only what is missing, so an event applied twice adds
    nothing (`idempotent`)."""
    lookups = Lookups(uow, events[0].tenant_id)
    for event in events:
        if event.topic == CHECKIN_RECORDED:
            await checkin_recorded(uow, event, lookups)
        elif event.topic == CHECKIN_WITHDRAWN:
            await checkin_withdrawn(uow, event)


async def accrue_attendance_records(uow: UnitOfWork, events: list[RelayedEvent]) -> None:
    """Points from leave, absences and volunteer hours as the archived activity's closed
    attendance list records them, a tenant's batch at a time; settling is idempotent as
    for check-ins."""
    lookups = Lookups(uow, events[0].tenant_id)
    for event in events:
        if event.topic == LEAVE_RECORDED:
            await leave_recorded(uow, event, lookups)
        elif event.topic == ABSENCE_RECORDED:
            await absence_recorded(uow, event, lookups)
        elif event.topic == VOLUNTEER_HOURS_RECORDED:
            await volunteer_hours_recorded(uow, event, lookups)


EVIDENCE_ATTACHED = "evidence.attached"
EVIDENCE_DELETED = "evidence.deleted"


async def accrue_evidence(uow: UnitOfWork, event: RelayedEvent) -> None:
    """Points for evidence a member uploaded (`evidence_upload` items), reversed on deletion."""
    if event.topic == EVIDENCE_ATTACHED:
        await evidence_attached(uow, event)
    elif event.topic == EVIDENCE_DELETED:
        await evidence_deleted(uow, event)


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
