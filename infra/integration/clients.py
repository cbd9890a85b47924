"""Registering, listing, rotating and revoking API clients (接口客户端).

A client is registered for a subtree (the registering administrator's tenant, or one
organization's subtree) with scopes the administrator holds there. It acts through a
service account of its tenant. Revocation reaches every worker at once through the same
LISTEN/NOTIFY invalidation as ended sessions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select, tuple_, update

from domain.integration import ClientSecret, check_scopes, overlap_end
from domain.integration.messages import MESSAGES
from domain.shared import ErrorKind, Guard, new_id, not_found, require_scopes
from domain.tenancy import org_domain, tenant_domain
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.integration.liveness import CHANNEL
from infra.integration.tables import ApiClientRow, ApiClientSecretRow, WebhookSubscriptionRow
from infra.tenancy import (
    announce_ended,
    create_service_account,
    deactivate_service_account,
    organization_ids_in_domains,
    organization_ref,
    tenant_ref,
    within_scopes,
)


@dataclass(frozen=True, slots=True)
class ApiClient:
    row: ApiClientRow
    secrets: list[ApiClientSecretRow]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a client acts: its tenant, and the Casbin domain of its subtree."""

    tenant_id: uuid.UUID
    domain: str
    organization_id: uuid.UUID | None


async def placement(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID | None,
) -> Placement | None:
    """The client's subtree as it is now (an organization may have moved since)."""
    if organization_id is not None:
        org = await organization_ref(uow, organization_id, tenant_id=tenant_id)
        return Placement(org.tenant_id, org.domain, org.id) if org else None
    tenant = await tenant_ref(uow, tenant_id)
    return Placement(tenant.id, tenant_domain(tenant.path), None) if tenant else None


async def register_client(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    registered_by: uuid.UUID,
    name: str,
    scopes: Sequence[str],
    organization_id: uuid.UUID | None,
    secret: ClientSecret,
    secret_hash: str,
) -> ApiClient:
    if organization_id is not None:
        org = await organization_ref(uow, organization_id)
        if org is None:
            raise not_found("organization")
        where = Placement(org.tenant_id, org.domain, org.id)
    else:
        home = await placement(uow, tenant_id=home_tenant_id, organization_id=None)
        if home is None:
            raise not_found("tenant")
        where = home
    guard.require("api_client", "write", where.domain)
    checked = check_scopes(
        scopes, lambda permission: guard.can(*permission.split(":"), where.domain)
    )
    account_id = new_id()
    await create_service_account(
        uow, tenant_id=where.tenant_id, account_id=account_id, display_name=name
    )
    row = ApiClientRow(
        tenant_id=where.tenant_id,
        id=new_id(),
        name=name,
        organization_id=where.organization_id,
        account_id=account_id,
        scopes=list(checked),
        created_by=registered_by,
    )
    uow.session.add(row)
    await uow.session.flush()
    kept = ApiClientSecretRow(
        tenant_id=row.tenant_id, id=secret.id, client_id=row.id, secret_hash=secret_hash
    )
    uow.session.add(kept)
    await uow.session.flush()
    uow.audit(
        "api_client.create",
        "api_client",
        row.id,
        tenant_id=row.tenant_id,
        detail={"name": name, "scopes": list(checked), "organization_id": _text(organization_id)},
    )
    return ApiClient(row, [kept])


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def visible_clients(guard: Guard, stmt: Select[Any]) -> Select[Any]:
    """Clients within the subtrees where the caller holds api_client:read."""
    scopes = require_scopes(guard, "api_client", "read")
    tenant_wide = [(t, o) for t, o in scopes if o is None]
    by_org = [org_domain(t, o) for t, o in scopes if o is not None]
    clauses = []
    if tenant_wide:
        clauses.append(within_scopes(tenant_wide, tenant_id=ApiClientRow.tenant_id))
    if by_org:
        clauses.append(
            tuple_(ApiClientRow.tenant_id, ApiClientRow.organization_id).in_(
                organization_ids_in_domains(by_org)
            )
        )
    return stmt.where(or_(*clauses))


async def _secrets(
    uow: UnitOfWork, rows: Sequence[ApiClientRow]
) -> dict[uuid.UUID, list[ApiClientSecretRow]]:
    if not rows:
        return {}
    found = await uow.session.execute(
        select(ApiClientSecretRow)
        .where(
            ApiClientSecretRow.tenant_id.in_({r.tenant_id for r in rows}),  # type: ignore[attr-defined]
            ApiClientSecretRow.client_id.in_([r.id for r in rows]),  # type: ignore[attr-defined]
        )
        .order_by(ApiClientSecretRow.id)  # type: ignore[arg-type]
    )
    by_client: dict[uuid.UUID, list[ApiClientSecretRow]] = {}
    for secret in found.scalars():
        by_client.setdefault(secret.client_id, []).append(secret)
    return by_client


async def list_clients(
    uow: UnitOfWork, guard: Guard, *, limit: int, after: uuid.UUID | None
) -> list[ApiClient]:
    stmt = visible_clients(guard, select(ApiClientRow))
    if after is not None:
        stmt = stmt.where(ApiClientRow.id > after)  # type: ignore[arg-type]
    rows = list(
        (await uow.session.execute(stmt.order_by(ApiClientRow.id).limit(limit + 1))).scalars()  # type: ignore[arg-type]
    )
    secrets = await _secrets(uow, rows)
    return [ApiClient(r, secrets.get(r.id, [])) for r in rows]


async def get_client(
    uow: UnitOfWork, guard: Guard, client_id: uuid.UUID, *, for_update: bool = False
) -> ApiClient:
    stmt = visible_clients(guard, select(ApiClientRow).where(ApiClientRow.id == client_id))  # type: ignore[arg-type]
    row = (await uow.session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise not_found("api_client")
    if for_update:
        row = await locked(uow.session, row)
    return ApiClient(row, (await _secrets(uow, [row])).get(row.id, []))


async def _writable(uow: UnitOfWork, guard: Guard, client_id: uuid.UUID) -> ApiClient:
    client = await get_client(uow, guard, client_id, for_update=True)
    where = await placement(
        uow, tenant_id=client.row.tenant_id, organization_id=client.row.organization_id
    )
    guard.require("api_client", "write", where.domain if where else None)
    return client


async def rotate_secret(
    uow: UnitOfWork,
    guard: Guard,
    client_id: uuid.UUID,
    *,
    secret: ClientSecret,
    secret_hash: str,
    overlap_seconds: int | None,
    now: datetime,
) -> ApiClient:
    """A new secret; the ones it replaces keep working until the overlap ends."""
    ends = overlap_end(now, overlap_seconds)
    client = await _writable(uow, guard, client_id)
    if client.row.revoked_at is not None:
        raise MESSAGES.error("api_client_revoked", ErrorKind.CONFLICT)
    for old in client.secrets:
        if old.expires_at is None or old.expires_at > ends:
            old.expires_at = ends
    await uow.session.flush()
    fresh = ApiClientSecretRow(
        tenant_id=client.row.tenant_id,
        id=secret.id,
        client_id=client.row.id,
        secret_hash=secret_hash,
    )
    uow.session.add(fresh)
    await uow.session.flush()
    uow.audit(
        "api_client.rotate",
        "api_client",
        client.row.id,
        tenant_id=client.row.tenant_id,
        detail={"previous_secrets_end": ends.isoformat()},
    )
    return ApiClient(client.row, [*client.secrets, fresh])


async def revoke_client(
    uow: UnitOfWork, guard: Guard, client_id: uuid.UUID, *, now: datetime
) -> ApiClient:
    """Revoked at once: every worker forgets the client's tokens once this commits, and
    its webhooks stop."""
    client = await _writable(uow, guard, client_id)
    if client.row.revoked_at is not None:
        return client
    client.row.revoked_at = now
    await uow.session.flush()
    await deactivate_service_account(
        uow, tenant_id=client.row.tenant_id, account_id=client.row.account_id
    )
    await announce_ended(uow, CHANNEL, client.row.id)
    await uow.session.execute(
        update(WebhookSubscriptionRow)
        .where(
            WebhookSubscriptionRow.tenant_id == client.row.tenant_id,  # type: ignore[arg-type]
            WebhookSubscriptionRow.client_id == client.row.id,  # type: ignore[arg-type]
            WebhookSubscriptionRow.enabled.is_(True),  # type: ignore[attr-defined]
        )
        .values(enabled=False, disabled_reason="client_revoked", disabled_at=now, updated_at=now)
    )
    uow.audit("api_client.revoke", "api_client", client.row.id, tenant_id=client.row.tenant_id)
    return client
