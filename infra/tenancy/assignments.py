"""Role assignments (角色授权): grant a role on a subtree, list, revoke."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.shared import Guard, conflict, new_id, not_found, require_scopes
from domain.tenancy import check_grant_scope, check_grantable, org_domain, subtree, tenant_domain
from domain.tenancy.messages import MESSAGES
from infra.authz import notify_change, user_subject
from infra.db.session import UnitOfWork
from infra.tenancy.accounts import keep_an_administrator
from infra.tenancy.grants import resolve_role
from infra.tenancy.organizations import get_org
from infra.tenancy.sessions import end_sessions
from infra.tenancy.tables import RoleAssignment, Tenant
from infra.tenancy.tenants import get_tenant
from infra.tenancy.users import get_user
from infra.tenancy.visibility import after, grants_within


async def grant_role(
    uow: UnitOfWork,
    guard: Guard,
    *,
    granter_id: uuid.UUID,
    user_id: uuid.UUID,
    role: str,
    tenant_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
) -> RoleAssignment:
    """Grant a role on a tenant or organization subtree to a user of that subtree."""
    user = await get_user(uow, user_id)
    user_tenant = await get_tenant(uow, user.tenant_id)
    org = await get_org(uow, organization_id) if organization_id else None
    scope_tenant = await get_tenant(uow, org.tenant_id if org else (tenant_id or user.tenant_id))
    domain = org_domain(scope_tenant.path, org.path) if org else tenant_domain(scope_tenant.path)
    check_grant_scope(domain, user_tenant.path)
    guard.require("role_assignment", "write", domain)
    resolved = await resolve_role(uow, role, scope_tenant)
    granter = await uow.session.get(Tenant, (await get_user(uow, granter_id)).tenant_id)
    check_grantable(
        guard,
        resolved,
        domain,
        granter_on_platform=granter is not None and granter.level == "platform",
    )
    row = RoleAssignment(
        tenant_id=user.tenant_id,
        id=new_id(),
        user_id=user.id,
        role=resolved.subject,
        domain=subtree(domain),
        scope_tenant_id=scope_tenant.id,
        organization_id=org.id if org else None,
        granted_by=granter_id,
    )
    uow.session.add(row)
    try:
        async with uow.session.begin_nested():
            await uow.session.flush()
    except IntegrityError as exc:
        raise conflict(MESSAGES, "role_already_granted") from exc
    await notify_change(
        uow.session,
        {"op": "grant", "subject": user_subject(user.id), "role": row.role, "domain": row.domain},
    )
    uow.audit(
        "role_assignment.create",
        "role_assignment",
        row.id,
        tenant_id=user.tenant_id,
        detail={"user_id": str(user.id), "role": role, "domain": row.domain},
    )
    return row


async def list_role_assignments(
    uow: UnitOfWork,
    guard: Guard,
    *,
    limit: int,
    cursor: uuid.UUID | None,
    user_id: uuid.UUID | None,
) -> list[RoleAssignment]:
    scopes = require_scopes(guard, "role_assignment", "read")
    stmt = select(RoleAssignment).where(grants_within(scopes))
    if user_id:
        stmt = stmt.where(RoleAssignment.user_id == user_id)
    stmt = after(stmt, RoleAssignment.id, cursor).order_by(RoleAssignment.id).limit(limit + 1)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


async def revoke_role(uow: UnitOfWork, guard: Guard, assignment_id: uuid.UUID) -> None:
    row = (
        await uow.session.execute(
            select(RoleAssignment).where(RoleAssignment.id == assignment_id)  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("role_assignment")
    guard.require("role_assignment", "write", row.domain.removesuffix("*"))
    await keep_an_administrator(uow, row.user_id, grant=row)
    await uow.session.delete(row)
    await end_sessions(uow, tenant_id=row.tenant_id, user_id=row.user_id)
    await notify_change(
        uow.session,
        {
            "op": "revoke",
            "subject": user_subject(row.user_id),
            "role": row.role,
            "domain": row.domain,
        },
    )
    uow.audit(
        "role_assignment.delete",
        "role_assignment",
        row.id,
        tenant_id=row.tenant_id,
        detail={"user_id": str(row.user_id), "role": row.role, "domain": row.domain},
    )
