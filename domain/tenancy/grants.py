"""Who may grant which role where (角色授权规则).

Nobody hands out power they do not hold: a role is granted only by someone holding every
one of its permissions in the target domain, shipped roles included, except the rights to
act as oneself (`SELF_SERVICE`). Machine roles are never granted to people. The platform's
administrators, who hold no member data rights themselves, grant `tenant_admin`: that is
how a tenant gets its administrators. A role is granted within the user's own tenant
subtree only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.shared.errors import DomainError, FieldError, Message
from domain.tenancy.paths import tenant_domain
from domain.tenancy.roles import MACHINE_ROLES, SELF_SERVICE, ShippedRole, delegated_by


class Holder(Protocol):
    """The granter's permissions, as the authorizer answers them."""

    def can(self, obj: str, act: str, domain: str | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class ResolvedRole:
    subject: str  # the Casbin role: a shipped name or `r:<tenant>:<name>`
    permissions: tuple[str, ...]
    shipped: ShippedRole | None


def unknown_role(role: str) -> DomainError:
    return DomainError(
        "role_unknown",
        Message(f"角色 {role} 不存在。", f"There is no role {role}."),
        errors=[FieldError("role", "unknown", Message("未知角色", "unknown role"))],
    )


def check_shipped_grant(role: ShippedRole, *, on_platform: bool) -> None:
    """Machine roles go to API clients only; platform_admin is granted on the platform only."""
    if role in MACHINE_ROLES:
        raise DomainError(
            "role_machine_only",
            Message(
                f"{role} 是接口客户端专用角色，不能授予个人。",
                f"{role} is for API clients and cannot be granted to people.",
            ),
            errors=[FieldError("role", "machine_only", Message("仅限接口客户端", "machines"))],
        )
    if role is ShippedRole.PLATFORM_ADMIN and not on_platform:
        raise DomainError(
            "role_platform_only",
            Message(
                "平台管理员角色只能在平台范围授予。",
                "platform_admin is granted on the platform only.",
            ),
            errors=[FieldError("role", "platform_only", Message("仅限平台", "platform only"))],
        )


def check_grant_scope(domain: str, user_tenant_path: str) -> None:
    """A role is granted on the user's own tenant or below it, never elsewhere."""
    if not domain.startswith(tenant_domain(user_tenant_path)):
        raise DomainError(
            "role_outside_user_tenant",
            Message(
                "只能在用户所属租户及其下级范围内授予角色。",
                "Roles are granted within the user's own tenant subtree.",
            ),
            errors=[FieldError("tenant_id", "outside", Message("超出范围", "outside"))],
        )


def _holds(guard: Holder, permission: str, domain: str) -> bool:
    resource, _, action = delegated_by(permission).partition(":")
    return guard.can(resource, action, domain)


def refuse_escalation(
    guard: Holder, domain: str, permissions: Sequence[str], *, field: str = "permissions"
) -> None:
    """Nobody hands out a permission they do not hold themselves (or, for a supervision
    permission, the one it is delegated by)."""
    missing = sorted({p for p in permissions if not _holds(guard, p, domain)})
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
