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

from domain.shared.errors import DomainError, ErrorKind
from domain.tenancy.messages import MESSAGES
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
    return MESSAGES.error(
        "role_unknown",
        errors=[MESSAGES.field("role", "role_unknown_field", code="unknown")],
        role=role,
    )


def check_shipped_grant(role: ShippedRole, *, on_platform: bool) -> None:
    """Machine roles go to API clients only; platform_admin is granted on the platform only."""
    if role in MACHINE_ROLES:
        raise MESSAGES.error(
            "role_machine_only",
            errors=[MESSAGES.field("role", "role_machine_only_field", code="machine_only")],
            role=role.value,
        )
    if role is ShippedRole.PLATFORM_ADMIN and not on_platform:
        raise MESSAGES.error(
            "role_platform_only",
            errors=[MESSAGES.field("role", "role_platform_only_field", code="platform_only")],
        )


def check_grant_scope(domain: str, user_tenant_path: str) -> None:
    """A role is granted on the user's own tenant or below it, never elsewhere."""
    if not domain.startswith(tenant_domain(user_tenant_path)):
        raise MESSAGES.error(
            "role_outside_user_tenant",
            errors=[MESSAGES.field("tenant_id", "role_outside_user_tenant_field", code="outside")],
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
        raise MESSAGES.error(
            "permission_escalation",
            ErrorKind.FORBIDDEN,
            errors=[MESSAGES.field(field, "permission_not_held", code="not_held")],
            missing=", ".join(missing),
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
