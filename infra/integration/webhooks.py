"""Webhook subscriptions (Webhook 订阅): made, changed and rotated by the API client that
owns them; read by it, and by administrators who may read that client.

A subscription lives in its client's tenant and receives the events of the client's
subtree (of its organization's, for a client confined to one). Its signing secrets
(`whsec_…`, Standard Webhooks) are sealed with the field key because every delivery signs
with them; the secret is shown once, when made or rotated.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, text, tuple_

from domain.integration import (
    check_event_types,
    check_url,
    new_secret,
    overlap_end,
    readable_types,
)
from domain.integration.messages import MESSAGES
from domain.shared import ErrorKind, Guard, new_id, not_found
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.integration.clients import visible_clients
from infra.integration.tables import ApiClientRow, WebhookSecretRow, WebhookSubscriptionRow
from infra.platform.feed import bound_position
from infra.protection import FieldProtector

SECRET_COLUMN = "webhook_secret.secret"  # noqa: S105 - a column name, sealed into every secret
_START = text(
    "UPDATE webhook_subscription SET cursor_xid = CAST(CAST(:x AS text) AS xid8), cursor_seq = 0"
    " WHERE tenant_id = :t AND id = :id"
)


@dataclass(frozen=True, slots=True)
class Webhook:
    row: WebhookSubscriptionRow
    secrets: list[WebhookSecretRow]


@dataclass(frozen=True, slots=True)
class WebhookCaller:
    """Who asks: the calling API client (None for a person) with the domain its rights
    hold in (its tenant's or its organization's), and the caller's guard."""

    guard: Guard
    client_id: uuid.UUID | None
    domain: str | None


def _readable(caller: WebhookCaller, types: list[str]) -> list[str]:
    """A webhook carries only the types the feed would give its client (403 otherwise)."""
    readable_types(
        types, lambda p: caller.guard.can(*p.split(":"), caller.domain), field="event_types"
    )
    return types


def seal_secret(protector: FieldProtector, secret: str) -> bytes:
    return protector.cipher.encrypt(SECRET_COLUMN, secret)


def reveal_secret(protector: FieldProtector, sealed: bytes) -> str:
    return protector.cipher.decrypt(SECRET_COLUMN, sealed)


async def _start_now(uow: UnitOfWork, row: WebhookSubscriptionRow) -> None:
    """The subscription's cursor over the outbox starts at the present: it receives the
    events of transactions running or yet to come (made after it, by `created_at`)."""
    at = await bound_position(uow)
    await uow.session.execute(_START, {"x": at[0], "t": row.tenant_id, "id": row.id})


def visible_webhooks(caller: WebhookCaller, stmt: Select[Any]) -> Select[Any]:
    """A client sees its own subscriptions; a person those of the clients it may read."""
    if caller.client_id is not None:
        return stmt.where(WebhookSubscriptionRow.client_id == caller.client_id)  # type: ignore[arg-type]
    clients = visible_clients(caller.guard, select(ApiClientRow.tenant_id, ApiClientRow.id))
    return stmt.where(
        tuple_(WebhookSubscriptionRow.tenant_id, WebhookSubscriptionRow.client_id).in_(clients)
    )


async def _secrets(
    uow: UnitOfWork, rows: Sequence[WebhookSubscriptionRow]
) -> dict[uuid.UUID, list[WebhookSecretRow]]:
    if not rows:
        return {}
    found = await uow.session.execute(
        select(WebhookSecretRow)
        .where(
            WebhookSecretRow.tenant_id.in_({r.tenant_id for r in rows}),  # type: ignore[attr-defined]
            WebhookSecretRow.subscription_id.in_([r.id for r in rows]),  # type: ignore[attr-defined]
        )
        .order_by(WebhookSecretRow.id)  # type: ignore[arg-type]
    )
    by_webhook: dict[uuid.UUID, list[WebhookSecretRow]] = {}
    for secret in found.scalars():
        by_webhook.setdefault(secret.subscription_id, []).append(secret)
    return by_webhook


async def _owner(uow: UnitOfWork, caller: WebhookCaller) -> ApiClientRow:
    """The calling client; one confined to an organization's subtree receives the events
    placed there only (the subscription keeps its organization)."""
    if caller.client_id is None:
        raise MESSAGES.error("webhook_clients_only", ErrorKind.FORBIDDEN)
    row = (
        await uow.session.execute(
            select(ApiClientRow).where(
                ApiClientRow.id == caller.client_id,  # type: ignore[arg-type]
                ApiClientRow.revoked_at.is_(None),  # type: ignore[union-attr]
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise MESSAGES.error("webhook_clients_only", ErrorKind.FORBIDDEN)
    return row


async def create_webhook(
    uow: UnitOfWork,
    caller: WebhookCaller,
    *,
    tenant_path: str,
    url: str,
    event_types: Sequence[str],
    description: str,
    allow_private: bool,
    protector: FieldProtector,
) -> tuple[Webhook, str]:
    """The subscription and its first secret, returned in clear this once."""
    check_url(url, allow_private=allow_private)
    client = await _owner(uow, caller)
    types = _readable(caller, check_event_types(event_types))
    row = WebhookSubscriptionRow(
        tenant_id=client.tenant_id,
        id=new_id(),
        client_id=client.id,
        tenant_path=tenant_path,
        organization_id=client.organization_id,
        url=url,
        event_types=types,
        description=description,
    )
    uow.session.add(row)
    await uow.session.flush()
    await _start_now(uow, row)
    secret = new_secret()
    kept = WebhookSecretRow(
        tenant_id=row.tenant_id,
        id=new_id(),
        subscription_id=row.id,
        secret=seal_secret(protector, secret),
    )
    uow.session.add(kept)
    await uow.session.flush()
    uow.audit(
        "webhook.create",
        "webhook",
        row.id,
        tenant_id=row.tenant_id,
        detail={"url": url, "event_types": types},
    )
    return Webhook(row, [kept]), secret


async def list_webhooks(
    uow: UnitOfWork, caller: WebhookCaller, *, limit: int, after: uuid.UUID | None
) -> list[Webhook]:
    stmt = visible_webhooks(caller, select(WebhookSubscriptionRow))
    if after is not None:
        stmt = stmt.where(WebhookSubscriptionRow.id > after)  # type: ignore[arg-type]
    stmt = stmt.order_by(WebhookSubscriptionRow.id).limit(limit + 1)  # type: ignore[arg-type]
    rows = list((await uow.session.execute(stmt)).scalars())
    secrets = await _secrets(uow, rows)
    return [Webhook(r, secrets.get(r.id, [])) for r in rows]


async def get_webhook(
    uow: UnitOfWork, caller: WebhookCaller, webhook_id: uuid.UUID, *, for_update: bool = False
) -> Webhook:
    stmt = visible_webhooks(
        caller,
        select(WebhookSubscriptionRow).where(WebhookSubscriptionRow.id == webhook_id),  # type: ignore[arg-type]
    )
    row = (await uow.session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise not_found("webhook")
    if for_update:
        row = await locked(uow.session, row)
    return Webhook(row, (await _secrets(uow, [row])).get(row.id, []))


async def _own(uow: UnitOfWork, caller: WebhookCaller, webhook_id: uuid.UUID) -> Webhook:
    """The caller's own subscription, locked for a change (a person changes none)."""
    if caller.client_id is None:
        raise MESSAGES.error("webhook_clients_only", ErrorKind.FORBIDDEN)
    return await get_webhook(uow, caller, webhook_id, for_update=True)


async def update_webhook(
    uow: UnitOfWork,
    caller: WebhookCaller,
    webhook_id: uuid.UUID,
    *,
    changes: dict[str, Any],
    allow_private: bool,
    now: datetime,
) -> Webhook:
    """Change the URL, types, description; `enabled` true starts a fresh run of attempts."""
    hook = await _own(uow, caller, webhook_id)
    if "url" in changes:
        check_url(changes["url"], allow_private=allow_private)
    if "event_types" in changes:
        changes["event_types"] = _readable(caller, check_event_types(changes["event_types"]))
    row = hook.row
    for name in ("url", "event_types", "description"):
        if name in changes:
            setattr(row, name, changes[name])
    enabled = changes.get("enabled")
    restarted = not row.enabled
    if enabled is True and not row.enabled:
        row.enabled, row.disabled_reason, row.disabled_at = True, None, None
        row.failure_streak, row.failing_since, row.paused_until = 0, None, None
    elif enabled is False and row.enabled:
        row.enabled, row.disabled_reason, row.disabled_at = False, "manual", now
    row.updated_at = now
    await uow.session.flush()
    if enabled is True and restarted:
        await _start_now(uow, row)  # what happened while it was off is not sent
    uow.audit(
        "webhook.update",
        "webhook",
        row.id,
        tenant_id=row.tenant_id,
        detail={k: v for k, v in changes.items() if k != "description"},
    )
    return hook


async def rotate_webhook_secret(
    uow: UnitOfWork,
    caller: WebhookCaller,
    webhook_id: uuid.UUID,
    *,
    overlap_seconds: int | None,
    protector: FieldProtector,
    now: datetime,
) -> tuple[Webhook, str]:
    """A new secret; until the overlap ends each delivery carries both signatures, so the
    receiver switches over without losing one."""
    ends = overlap_end(now, overlap_seconds)
    hook = await _own(uow, caller, webhook_id)
    for old in hook.secrets:
        if old.expires_at is None or old.expires_at > ends:
            old.expires_at = ends
    secret = new_secret()
    fresh = WebhookSecretRow(
        tenant_id=hook.row.tenant_id,
        id=new_id(),
        subscription_id=hook.row.id,
        secret=seal_secret(protector, secret),
    )
    uow.session.add(fresh)
    hook.row.updated_at = now
    await uow.session.flush()
    uow.audit(
        "webhook.rotate",
        "webhook",
        hook.row.id,
        tenant_id=hook.row.tenant_id,
        detail={"previous_secrets_end": ends.isoformat()},
    )
    return Webhook(hook.row, [*hook.secrets, fresh]), secret
