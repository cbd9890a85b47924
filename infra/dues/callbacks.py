"""Receiving a provider's payment notification (支付结果通知).

Verified first (signature, platform serial, time, decryption: nothing is written for a
forged, tampered or replayed-late one, which is logged and refused); then stored as it
came, in a transaction of its own, before and apart from the one that applies it, so a
notification is never lost when applying fails; then applied. The notification's id makes
every later delivery of it a duplicate: it is applied once, and a delivery that finds it
applied answers as the first did.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from domain.dues import MESSAGES, Notification, Outcome, PaymentProvider
from domain.shared import DomainError, ErrorKind, new_id
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.dues.settlement import apply_transaction
from infra.dues.tables import DuesPaymentNotificationRow

log = logging.getLogger(__name__)


def tenant_of(attach: str) -> tuple[uuid.UUID, str]:
    """The tenant and its path from an order's `attach` (see `payments.attach_of`)."""
    tenant, _, path = attach.partition(" ")
    try:
        return uuid.UUID(tenant), path
    except ValueError:
        raise MESSAGES.error("payment_order_unknown", ErrorKind.FORBIDDEN) from None


async def receive_notification(
    db: Database,
    provider: PaymentProvider,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    client_addr: str | None,
    request_id: str | None,
) -> Outcome:
    try:
        note = provider.verify(headers, body, now)
        tenant_id, tenant_path = tenant_of(note.transaction.attach)
    except DomainError as refused:
        log.warning(
            "dues: refused a %s payment callback from %s: %s (body sha256 %s)",
            provider.name,
            client_addr,
            refused.code,
            hashlib.sha256(body).hexdigest(),
        )
        raise
    scope = Scope(tenant_path)
    actor = Actor(None, f"payment:{provider.name}", tenant_id, client_addr, request_id)
    async with db.unit_of_work(scope, actor) as uow:
        stored = await _store(uow, provider.name, tenant_id, note, headers, body)
    if stored.outcome is not None:
        return _again(Outcome(stored.outcome))
    # Two deliveries at once may both get here: the payment's row lock orders them, and
    # the second finds it paid by the same transaction (a duplicate).
    async with db.unit_of_work(scope, actor) as uow:
        outcome = await apply_transaction(
            uow, note.transaction, tenant_id=tenant_id, provider=provider.name, now=now
        )
        await uow.session.execute(
            update(DuesPaymentNotificationRow)
            .where(
                col(DuesPaymentNotificationRow.tenant_id) == tenant_id,
                col(DuesPaymentNotificationRow.id) == stored.id,
                col(DuesPaymentNotificationRow.outcome).is_(None),
            )
            .values(outcome=outcome.value, applied_at=now)
        )
    return outcome


def _again(first: Outcome) -> Outcome:
    """A notification delivered again: a duplicate, unless it did not match (still not)."""
    return first if first is Outcome.MISMATCH else Outcome.DUPLICATE


async def _store(
    uow: UnitOfWork,
    provider: str,
    tenant_id: uuid.UUID,
    note: Notification,
    headers: Mapping[str, str],
    body: bytes,
) -> DuesPaymentNotificationRow:
    t = note.transaction
    kept = {k.lower(): v for k, v in headers.items() if k.lower().startswith("wechatpay-")}
    inserted = (
        await uow.session.execute(
            pg_insert(DuesPaymentNotificationRow)
            .values(
                tenant_id=tenant_id,
                id=new_id(),
                provider=provider,
                notification_id=note.id,
                out_trade_no=t.out_trade_no,
                transaction_id=t.transaction_id,
                trade_state=t.trade_state.value,
                amount_fen=t.amount_fen,
                currency=t.currency,
                headers=kept,
                body=body.decode("utf-8", "replace"),
            )
            .on_conflict_do_nothing()
            .returning(DuesPaymentNotificationRow)
        )
    ).scalar_one_or_none()
    if inserted is not None:
        return inserted
    return (
        await uow.session.execute(
            select(DuesPaymentNotificationRow).where(
                col(DuesPaymentNotificationRow.tenant_id) == tenant_id,
                col(DuesPaymentNotificationRow.provider) == provider,
                col(DuesPaymentNotificationRow.notification_id) == note.id,
            )
        )
    ).scalar_one()
