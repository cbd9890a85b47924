"""Tenants (租户): create, list, read, update, and their inherited settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.shared import Guard, conflict, new_id, not_found, require_scopes
from domain.tenancy import (
    PLATFORM_CODE,
    check_new_tenant,
    child_path,
    tenant_domain,
    validate_override,
)
from domain.tenancy.messages import MESSAGES
from infra.db.session import UnitOfWork
from infra.tenancy.tables import AppUser, Tenant
from infra.tenancy.tenant_settings import effective_settings_of
from infra.tenancy.visibility import after, within_scopes


async def tenant_by_code(uow: UnitOfWork, code: str) -> Tenant | None:
    """A visible tenant by its division code (the CLI names tenants this way)."""
    stmt = select(Tenant).where(Tenant.code == code)  # type: ignore[arg-type]
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def platform_admin(uow: UnitOfWork) -> AppUser | None:
    """The seeded platform `admin` account, visible in the platform scope."""
    stmt = (
        select(AppUser)
        .join(Tenant, Tenant.id == AppUser.tenant_id)  # type: ignore[arg-type]
        .where(AppUser.username == "admin", Tenant.code == PLATFORM_CODE)  # type: ignore[arg-type]
    )
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def get_tenant(uow: UnitOfWork, tenant_id: uuid.UUID) -> Tenant:
    tenant = await uow.session.get(Tenant, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    return tenant


async def create_tenant(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    code: str,
    name: str,
    parent_id: uuid.UUID | None,
    level: str | None,
    settings: dict[str, Any] | None,
) -> Tenant:
    parent = await get_tenant(uow, parent_id or home_tenant_id)
    guard.require("tenant", "create", tenant_domain(parent.path))
    child_level = check_new_tenant(parent.level, parent.code, code, level)
    document = validate_override(settings or {}).model_dump(exclude_none=True)
    tenant = Tenant(
        id=new_id(),
        parent_id=parent.id,
        level=child_level.value,
        code=code,
        name=name,
        path=child_path(parent.path, code),
        settings=document,
    )
    uow.session.add(tenant)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise conflict(MESSAGES, "tenant_code_taken", "code", division=code) from exc
    await uow.refresh_scope()
    uow.audit("tenant.create", "tenant", tenant.id, tenant_id=tenant.id, detail={"code": code})
    return tenant


async def list_tenants(
    uow: UnitOfWork,
    guard: Guard,
    *,
    limit: int,
    cursor: uuid.UUID | None,
    level: str | None,
    parent_id: uuid.UUID | None,
    q: str | None,
) -> list[Tenant]:
    scopes = require_scopes(guard, "tenant", "read")
    stmt = select(Tenant).where(
        Tenant.level != "platform", within_scopes(scopes, tenant_id=Tenant.id)
    )
    if level:
        stmt = stmt.where(Tenant.level == level)
    if parent_id:
        stmt = stmt.where(Tenant.parent_id == parent_id)
    if q:
        stmt = stmt.where(Tenant.name.contains(q, autoescape=True))  # type: ignore[attr-defined]
    stmt = after(stmt, Tenant.id, cursor).order_by(Tenant.id).limit(limit + 1)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


async def read_tenant(uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID) -> Tenant:
    tenant = await get_tenant(uow, tenant_id)
    guard.require("tenant", "read", tenant_domain(tenant.path))
    return tenant


async def update_tenant(
    uow: UnitOfWork,
    guard: Guard,
    tenant_id: uuid.UUID,
    *,
    name: str | None,
    settings: dict[str, Any] | None,
) -> Tenant:
    tenant = await get_tenant(uow, tenant_id)
    guard.require("tenant", "update", tenant_domain(tenant.path))
    if settings is not None:
        guard.require("tenant", "configure", tenant_domain(tenant.path))
    changed: dict[str, Any] = {}
    if name is not None and name != tenant.name:
        changed["name"] = name
        tenant.name = name
    if settings is not None:
        tenant.settings = validate_override(settings).model_dump(exclude_none=True)
        changed["settings"] = tenant.settings
    if changed:
        tenant.version += 1
        tenant.updated_at = datetime.now(UTC)
        uow.session.add(tenant)
        uow.audit("tenant.update", "tenant", tenant.id, tenant_id=tenant.id, detail=changed)
    return tenant


async def tenant_settings(uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID) -> dict[str, Any]:
    tenant = await read_tenant(uow, guard, tenant_id)
    return (await effective_settings_of(uow, tenant.id)).model_dump()
