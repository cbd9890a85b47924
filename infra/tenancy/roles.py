"""Custom roles (自定义角色): a tenant's own bundles of permissions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain.shared import Guard, conflict, new_id, not_found
from domain.tenancy import check_custom_role, refuse_escalation, tenant_domain
from domain.tenancy.messages import MESSAGES
from infra.authz import custom_role_subject, notify_change
from infra.db.session import UnitOfWork
from infra.tenancy.tables import CustomRole, RoleAssignment
from infra.tenancy.tenants import get_tenant


async def list_custom_roles(uow: UnitOfWork, guard: Guard) -> list[CustomRole]:
    guard.require("role", "read")
    stmt = select(CustomRole).order_by(CustomRole.name)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


async def create_custom_role(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    name: str,
    display_name: str,
    permissions: Sequence[str],
) -> CustomRole:
    tenant = await get_tenant(uow, tenant_id)
    guard.require("role", "write", tenant_domain(tenant.path))
    checked = check_custom_role(name, permissions)
    refuse_escalation(guard, tenant_domain(tenant.path), checked)
    role = CustomRole(
        tenant_id=tenant.id,
        id=new_id(),
        name=name,
        display_name=display_name,
        permissions=list(checked),
    )
    uow.session.add(role)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise conflict(MESSAGES, "role_name_taken", "name", name=name) from exc
    await notify_change(uow.session, {"op": "reload"})
    uow.audit("role.create", "role", role.id, tenant_id=tenant.id, detail={"name": name})
    return role


async def get_custom_role(uow: UnitOfWork, role_id: uuid.UUID) -> CustomRole:
    role = (
        await uow.session.execute(select(CustomRole).where(CustomRole.id == role_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if role is None:
        raise not_found("role")
    return role


async def update_custom_role(
    uow: UnitOfWork,
    guard: Guard,
    role_id: uuid.UUID,
    *,
    display_name: str | None,
    permissions: Sequence[str] | None,
) -> CustomRole:
    role = await get_custom_role(uow, role_id)
    domain = tenant_domain((await get_tenant(uow, role.tenant_id)).path)
    guard.require("role", "write", domain)
    if display_name is not None:
        role.display_name = display_name
    if permissions is not None:
        checked = check_custom_role(role.name, permissions)
        refuse_escalation(guard, domain, checked)
        role.permissions = list(checked)
    role.version += 1
    role.updated_at = datetime.now(UTC)
    uow.session.add(role)
    await notify_change(uow.session, {"op": "reload"})
    uow.audit("role.update", "role", role.id, tenant_id=role.tenant_id)
    return role


async def delete_custom_role(uow: UnitOfWork, guard: Guard, role_id: uuid.UUID) -> None:
    role = await get_custom_role(uow, role_id)
    guard.require("role", "write", tenant_domain((await get_tenant(uow, role.tenant_id)).path))
    subject = custom_role_subject(role.tenant_id, role.name)
    in_use = (
        await uow.session.execute(
            select(func.count()).select_from(RoleAssignment).where(RoleAssignment.role == subject)  # type: ignore[arg-type]
        )
    ).scalar_one()
    if in_use:
        raise conflict(MESSAGES, "role_in_use", count=in_use)
    await uow.session.delete(role)
    await notify_change(uow.session, {"op": "reload"})
    uow.audit("role.delete", "role", role.id, tenant_id=role.tenant_id, detail={"name": role.name})
