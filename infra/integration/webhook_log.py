"""A webhook's delivery log (投递记录) and manual redelivery.

Deliveries live in the tenants of their events, all inside the subscription's subtree, so
the caller's scope reads them; each names its subscription. Redelivery puts deliveries
back to pending with a fresh run of attempts: the receiver gets the same `webhook-id`
(the event's id) and may deduplicate by it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text

from domain.integration.messages import MESSAGES
from domain.shared import ErrorKind, not_found
from infra.db.routing import tenant_filter
from infra.db.session import UnitOfWork
from infra.integration.tables import WebhookAttemptRow, WebhookDeliveryRow
from infra.integration.webhooks import Webhook, WebhookCaller, get_webhook

MAX_REDELIVERY_RANGE = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    status: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_deliveries(
    uow: UnitOfWork,
    caller: WebhookCaller,
    webhook_id: uuid.UUID,
    *,
    where: DeliveryFilter,
    limit: int,
    after: uuid.UUID | None,
) -> list[WebhookDeliveryRow]:
    hook = await get_webhook(uow, caller, webhook_id)
    stmt = select(WebhookDeliveryRow).where(
        WebhookDeliveryRow.subscription_id == hook.row.id,  # type: ignore[arg-type]
    )
    if where.status is not None:
        stmt = stmt.where(WebhookDeliveryRow.status == where.status)  # type: ignore[arg-type]
    if where.event_type is not None:
        stmt = stmt.where(WebhookDeliveryRow.event_type == where.event_type)  # type: ignore[arg-type]
    if where.since is not None:
        stmt = stmt.where(WebhookDeliveryRow.occurred_at >= where.since)  # type: ignore[arg-type]
    if where.until is not None:
        stmt = stmt.where(WebhookDeliveryRow.occurred_at < where.until)  # type: ignore[arg-type]
    if after is not None:
        stmt = stmt.where(WebhookDeliveryRow.id > after)  # type: ignore[arg-type]
    stmt = stmt.order_by(WebhookDeliveryRow.id).limit(limit + 1)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


async def get_delivery(
    uow: UnitOfWork, caller: WebhookCaller, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDeliveryRow, list[WebhookAttemptRow]]:
    """A delivery with its attempts: status codes, latencies, the answers' beginnings."""
    hook = await get_webhook(uow, caller, webhook_id)
    delivery = (
        await uow.session.execute(
            select(WebhookDeliveryRow).where(
                WebhookDeliveryRow.subscription_id == hook.row.id,  # type: ignore[arg-type]
                WebhookDeliveryRow.id == delivery_id,  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if delivery is None:
        raise not_found("webhook_delivery")
    attempts = (
        await uow.session.execute(
            select(WebhookAttemptRow)
            .where(
                WebhookAttemptRow.tenant_id == delivery.tenant_id,  # type: ignore[arg-type]
                WebhookAttemptRow.delivery_id == delivery.id,  # type: ignore[arg-type]
            )
            .order_by(WebhookAttemptRow.attempted_at, WebhookAttemptRow.id)  # type: ignore[arg-type]
        )
    ).scalars()
    return delivery, list(attempts)


async def redeliver(
    uow: UnitOfWork,
    caller: WebhookCaller,
    webhook_id: uuid.UUID,
    *,
    event_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[Webhook, int]:
    """Queue one event's delivery, or those of events in [since, until), again; the number
    queued. Only the owning client asks, and only while the webhook is enabled."""
    if caller.client_id is None:
        raise MESSAGES.error("webhook_clients_only", ErrorKind.FORBIDDEN)
    hook = await get_webhook(uow, caller, webhook_id)
    if event_id is not None:
        valid = since is None and until is None
    else:
        valid = since is not None and until is not None
        valid = valid and since < until <= since + MAX_REDELIVERY_RANGE  # type: ignore[operator]
    if not valid:
        raise MESSAGES.error(
            "webhook_redeliver_range",
            errors=[
                MESSAGES.field(
                    "event_id",
                    "webhook_redeliver_range",
                    code="range",
                    days=MAX_REDELIVERY_RANGE.days,
                )
            ],
            days=MAX_REDELIVERY_RANGE.days,
        )
    if not hook.row.enabled:
        raise MESSAGES.error("webhook_disabled_now", ErrorKind.CONFLICT)
    routed, params = tenant_filter(uow.session)
    which = (
        "event_id = :event"
        if event_id is not None
        else "occurred_at >= :since AND occurred_at < :until"
    )
    result = await uow.session.execute(
        text(
            "UPDATE webhook_delivery SET status = 'pending', attempts = 0,"  # noqa: S608 - fixed texts
            " next_attempt_at = now()"
            f" WHERE {routed} AND subscription_id = :webhook AND {which}"
        ),
        {**params, "webhook": hook.row.id, "event": event_id, "since": since, "until": until},
    )
    count = result.rowcount  # type: ignore[attr-defined]
    uow.audit(
        "webhook.redeliver",
        "webhook",
        hook.row.id,
        tenant_id=hook.row.tenant_id,
        detail={
            "event_id": None if event_id is None else str(event_id),
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "queued": count,
        },
    )
    return hook, int(count)
