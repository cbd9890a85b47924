"""Which role a grant names: a shipped role first (their names are reserved), else the
custom role defined nearest on the path from the target tenant up to the root. Two tenants
may define the same name; only one is nearest. The rules of granting are in
`domain.tenancy.grants`.
"""

from __future__ import annotations

from sqlalchemy import cast, func, literal, select

from domain.tenancy import (
    ResolvedRole,
    ShippedRole,
    check_shipped_grant,
    role_permissions,
    unknown_role,
)
from infra.authz import custom_role_subject
from infra.db.session import UnitOfWork
from infra.db.types import Ltree
from infra.tenancy.tables import CustomRole, Tenant


async def resolve_role(uow: UnitOfWork, role: str, scope_tenant: Tenant) -> ResolvedRole:
    if role in {r.value for r in ShippedRole}:
        shipped = ShippedRole(role)
        check_shipped_grant(shipped, on_platform=scope_tenant.level == "platform")
        return ResolvedRole(role, role_permissions(shipped), shipped)
    nearest = (
        await uow.session.execute(
            select(CustomRole)
            .join(Tenant, Tenant.id == CustomRole.tenant_id)  # type: ignore[arg-type]
            .where(
                CustomRole.name == role,  # type: ignore[arg-type]
                Tenant.path.op("@>")(cast(literal(scope_tenant.path), Ltree)),  # type: ignore[attr-defined]
            )
            .order_by(func.nlevel(Tenant.path).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if nearest is None:
        raise unknown_role(role)
    return ResolvedRole(
        custom_role_subject(nearest.tenant_id, nearest.name), tuple(nearest.permissions), None
    )
