"""Which role a grant names, and whether the granter may hand it out.

A role name resolves deterministically for the grant's target scope: a shipped role first
(their names are reserved), else the custom role defined nearest on the path from the
target tenant up to the root. Two tenants may define the same name; only one is nearest.

Nobody hands out power they do not hold: a role is granted only by someone holding every
one of its permissions in the target domain, shipped roles included, except the rights to
act as oneself (`SELF_SERVICE`). Machine roles are never granted to people. The platform's
administrators, who hold no member data rights themselves, grant `tenant_admin`: that is
how a tenant gets its administrators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import cast, func, literal, select

from domain.shared import DomainError, FieldError, Message
from domain.tenancy import (
    MACHINE_ROLES,
    SELF_SERVICE,
    ShippedRole,
    delegated_by,
    role_permissions,
)
from infra.authz import custom_role_subject
from infra.db.session import UnitOfWork
from infra.db.types import Ltree
from infra.tenancy.tables import CustomRole, Tenant


class Holder(Protocol):
    def can(self, obj: str, act: str, domain: str | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class ResolvedRole:
    subject: str  # the Casbin role: a shipped name or `r:<tenant>:<name>`
    permissions: tuple[str, ...]
    shipped: ShippedRole | None


def _unknown(role: str) -> DomainError:
    return DomainError(
        "role_unknown",
        Message(f"角色 {role} 不存在。", f"There is no role {role}."),
        errors=[FieldError("role", "unknown", Message("未知角色", "unknown role"))],
    )


async def resolve_role(uow: UnitOfWork, role: str, scope_tenant: Tenant) -> ResolvedRole:
    if role in {r.value for r in ShippedRole}:
        shipped = ShippedRole(role)
        if shipped in MACHINE_ROLES:
            raise DomainError(
                "role_machine_only",
                Message(
                    f"{role} 是接口客户端专用角色，不能授予个人。",
                    f"{role} is for API clients and cannot be granted to people.",
                ),
                errors=[FieldError("role", "machine_only", Message("仅限接口客户端", "machines"))],
            )
        if shipped is ShippedRole.PLATFORM_ADMIN and scope_tenant.level != "platform":
            raise DomainError(
                "role_platform_only",
                Message(
                    "平台管理员角色只能在平台范围授予。",
                    "platform_admin is granted on the platform only.",
                ),
                errors=[FieldError("role", "platform_only", Message("仅限平台", "platform only"))],
            )
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
        raise _unknown(role)
    return ResolvedRole(
        custom_role_subject(nearest.tenant_id, nearest.name), tuple(nearest.permissions), None
    )


def refuse_escalation(
    guard: Holder, domain: str, permissions: Sequence[str], *, field: str = "permissions"
) -> None:
    """Nobody hands out a permission they do not hold themselves (or, for a supervision
    permission, the one it is delegated by)."""
    missing = sorted(
        {p for p in permissions if not guard.can(*delegated_by(p).split(":", 1), domain)}
    )
    if missing:
        raise DomainError(
            "permission_escalation",
            Message(
                f"不能授予自己没有的权限：{', '.join(missing)}。",
                f"You cannot grant permissions you do not hold: {', '.join(missing)}.",
            ),
            status=403,
            errors=[FieldError(field, "not_held", Message("无此权限", "not held"))],
        )


def check_grantable(
    guard: Holder, resolved: ResolvedRole, domain: str, *, granter_on_platform: bool
) -> None:
    if resolved.shipped is ShippedRole.TENANT_ADMIN and granter_on_platform:
        return
    needed = resolved.permissions
    if resolved.shipped is not None:
        needed = tuple(p for p in needed if p not in SELF_SERVICE)
    refuse_escalation(guard, domain, needed, field="role")
