"""The transfers context's outbox handlers, registered with the relay by this context."""

from __future__ import annotations

import uuid

from infra.db.session import UnitOfWork
from infra.dues import carry_paid_to
from infra.platform.relay import Relay, RelayedEvent, Subscription
from infra.transfers.common import find_arrival


async def carry_dues(uow: UnitOfWork, event: RelayedEvent) -> None:
    """On acceptance across tenants, the receiving tenant's dues learn the letter's 党费交至
    (the event is the receiving side's, and so is the arrival it reads)."""
    arrival = await find_arrival(uow, uuid.UUID(event.payload["transfer_id"]))
    if (
        arrival is None
        or arrival.from_tenant_id == arrival.tenant_id
        or arrival.new_member_id is None
        or arrival.dues_paid_to is None
    ):
        return
    await carry_paid_to(
        uow,
        tenant_id=arrival.tenant_id,
        member_id=arrival.new_member_id,
        paid_to=arrival.dues_paid_to,
        transfer_id=arrival.id,
        from_tenant_id=arrival.from_tenant_id,
    )


def register_relay_handlers(relay: Relay) -> None:
    """The 党费交至 of an accepted transfer reaches the receiving tenant's dues once."""
    relay.register(
        "transfers.carry_dues", Subscription(carry_dues, frozenset({"transfer.accepted"}))
    )
