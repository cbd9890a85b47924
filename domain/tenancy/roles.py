"""Roles (角色) and the permission catalogue (权限目录).

A permission is `resource:action`. Shipped roles ship as data (`shipped_role_permissions`)
rendered into the Casbin policy in `policies/`; tenants may add their own roles, built only
from catalogue permissions. Later issues extend the catalogue.

The platform administrator runs tenants, accounts and roles, and reads no member data: the
people who operate the platform are not the people who keep party records (等保 separation of
duties, PIPL necessity).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.shared.errors import FieldError, Message
from domain.tenancy.messages import MESSAGES


class ShippedRole(StrEnum):
    """The roles every installation has; their names are reserved."""

    PLATFORM_ADMIN = "platform_admin"
    TENANT_ADMIN = "tenant_admin"
    ORG_SECRETARY = "org_secretary"
    ORG_COMMITTEE = "org_committee"
    MEMBER = "member"
    INSPECTOR = "inspector"
    API_CLIENT = "api_client"

    @property
    def zh(self) -> str:
        return _ROLE_ZH[self]


_ROLE_ZH = {
    ShippedRole.PLATFORM_ADMIN: "平台管理员",
    ShippedRole.TENANT_ADMIN: "机关工委管理员",
    ShippedRole.ORG_SECRETARY: "党组织书记",
    ShippedRole.ORG_COMMITTEE: "党组织委员",
    ShippedRole.MEMBER: "党员",
    ShippedRole.INSPECTOR: "监督检查员",
    ShippedRole.API_CLIENT: "第三方接口客户端",
}


@dataclass(frozen=True, slots=True)
class Permission:
    """One thing a role allows: an action on a resource type."""

    resource: str
    action: str
    description: Message

    @property
    def key(self) -> str:
        return f"{self.resource}:{self.action}"


def _p(resource: str, action: str) -> Permission:
    return Permission(resource, action, MESSAGES.message(f"permission:{resource}:{action}"))


PERMISSIONS: tuple[Permission, ...] = (
    _p("profile", "read"),
    _p("tenant", "read"),
    _p("tenant", "create"),
    _p("tenant", "update"),
    _p("tenant", "configure"),
    _p("organization", "read"),
    _p("organization", "create"),
    _p("organization", "update"),
    _p("organization", "delete"),
    _p("organization", "move"),
    _p("organization", "authorize"),
    _p("user", "read"),
    _p("user", "create"),
    _p("user", "update"),
    _p("user", "disable"),
    _p("role", "read"),
    _p("role", "write"),
    _p("role_assignment", "read"),
    _p("role_assignment", "write"),
    _p("audit_event", "read"),
    _p("member", "read"),
    _p("member", "write"),
    _p("member", "read_sensitive"),
    _p("member", "import"),
    _p("member", "export"),
    _p("activity", "read"),
    _p("activity", "write"),
    _p("checkin", "read"),
    _p("checkin", "create"),
    _p("checkin", "sync"),
    _p("checkin", "manage"),
    _p("checkin", "supervise"),
    _p("evidence", "read"),
    _p("evidence", "upload"),
    _p("evidence", "delete"),
    _p("job", "read"),
    _p("job", "cancel"),
    _p("job", "retry"),
    _p("api_client", "read"),
    _p("api_client", "write"),
    _p("point_rule", "read"),
    _p("point_rule", "write"),
    _p("points", "read"),
    _p("points", "classify"),
    _p("points", "recompute"),
    _p("point_award", "read"),
    _p("point_award", "propose"),
    _p("point_award", "decide"),
    _p("star_rating", "read"),
    _p("star_rating", "run"),
    _p("star_rating", "decide"),
    _p("star_rating", "score"),
    _p("applicant", "read"),
    _p("applicant", "write"),
    _p("applicant", "read_sensitive"),
    _p("applicant", "record"),
    _p("applicant", "approve"),
    _p("dues", "read"),
    _p("dues", "write"),
    _p("dues", "approve"),
    _p("dues", "configure"),
    _p("transfer", "read"),
    _p("transfer", "write"),
    _p("transfer", "approve"),
    _p("transfer", "receive"),
    _p("event", "read"),
)

CATALOGUE: dict[str, Permission] = {p.key: p for p in PERMISSIONS}

# Running an activity's check-ins; `checkin:supervise` (marking from a superior tenant) is
# deliberately held by no shipped role: a tenant grants it through a custom role if it must.
_RUN_CHECKINS = ("checkin:read", "checkin:create", "checkin:sync", "checkin:manage")

_READ_ALL = (
    "tenant",
    "organization",
    "member",
    "activity",
    "checkin",
    "evidence",
    "job",
    "applicant",
    "dues",
    "transfer",
)

_GRANTS: dict[ShippedRole, tuple[str, ...]] = {
    ShippedRole.PLATFORM_ADMIN: (
        "tenant:*",
        "organization:read",
        "user:*",
        "role:*",
        "role_assignment:*",
        "audit_event:read",
        "job:*",
    ),
    ShippedRole.TENANT_ADMIN: (
        "tenant:*",
        "organization:*",
        "user:*",
        "role:*",
        "role_assignment:*",
        "audit_event:read",
        "member:*",
        "activity:*",
        "checkin:read",
        "checkin:manage",
        "evidence:*",
        "job:*",
        "api_client:*",
        "point_rule:*",
        "points:*",
        "point_award:*",
        "star_rating:*",
        "applicant:*",
        "dues:*",
        "transfer:*",
        "event:read",
    ),
    ShippedRole.ORG_SECRETARY: (
        "tenant:read",
        "organization:read",
        "organization:update",
        "user:read",
        "role_assignment:read",
        "member:read",
        "member:write",
        "member:read_sensitive",
        "member:export",
        "activity:*",
        *_RUN_CHECKINS,
        "evidence:*",
        "job:read",
        "point_rule:read",
        "points:read",
        "points:classify",
        "point_award:*",
        "star_rating:read",
        "star_rating:decide",
        "star_rating:score",
        "applicant:*",
        "dues:read",
        "dues:write",
        "dues:approve",
        "transfer:*",
    ),
    ShippedRole.ORG_COMMITTEE: (
        "tenant:read",
        "organization:read",
        "member:read",
        "member:write",
        "activity:*",
        *_RUN_CHECKINS,
        "evidence:*",
        "job:read",
        "point_rule:read",
        "points:read",
        "point_award:read",
        "point_award:propose",
        "star_rating:read",
        "applicant:read",
        "applicant:write",
        "applicant:record",
        "dues:read",
        "dues:write",
        "transfer:read",
        "transfer:write",
    ),
    ShippedRole.MEMBER: (
        "organization:read",
        "activity:read",
        "checkin:create",
        "checkin:sync",
        "evidence:read",
        "evidence:upload",
        "point_rule:read",
    ),
    ShippedRole.INSPECTOR: (
        *(f"{r}:read" for r in _READ_ALL),
        "audit_event:read",
        "point_rule:read",
        "star_rating:read",
        "event:read",
    ),
    ShippedRole.API_CLIENT: (
        "tenant:read",
        "organization:read",
        "member:read",
        "member:write",
        "member:read_sensitive",
        "activity:read",
        "activity:write",
        "checkin:read",
        "checkin:manage",
        "evidence:read",
        "evidence:upload",
        "job:read",
        "point_rule:read",
        "points:read",
        "point_award:read",
        "star_rating:read",
        "applicant:read",
        "applicant:write",
        "applicant:read_sensitive",
        "applicant:record",
        "dues:read",
        "dues:write",
        "transfer:read",
        "event:read",
    ),
}
"""Grants per shipped role; `resource:*` means every catalogue action on that resource.

A member's rights over their own record and their branch's activities follow from the member
record in the handlers; the `member` role only opens the doors. An API client's scopes narrow
this set further.
"""


MACHINE_ROLES = frozenset({ShippedRole.API_CLIENT})
"""Roles for systems, not people: never granted through `/role-assignments`."""

SELF_SERVICE = frozenset({"profile:read", "checkin:create", "checkin:sync"})
"""Rights to act as oneself only (see one's account, check oneself in). They give no power
over anyone else, so granting a people role that carries them does not need the granter to
hold them; every other permission of a role must be held by whoever grants it."""


def role_permissions(role: ShippedRole) -> tuple[str, ...]:
    """The permission keys a shipped role carries."""
    return tuple(p.key for grant in ("profile:read", *_GRANTS[role]) for p in _expand(grant))


def _expand(grant: str) -> list[Permission]:
    resource, action = grant.split(":")
    if action == "*":
        return [p for p in PERMISSIONS if p.resource == resource]
    return [CATALOGUE[grant]]


_DELEGATED_BY = {"checkin:supervise": "checkin:manage"}


def delegated_by(permission: str) -> str:
    """The permission one must hold to put `permission` into a custom role.

    Usually itself; `checkin:supervise` is held by no shipped role, so a tenant admin who
    manages check-ins may grant it explicitly (an audited role change) to whoever supervises.
    """
    return _DELEGATED_BY.get(permission, permission)


def shipped_role_permissions() -> list[tuple[str, str, str]]:
    """Rows `(role, resource, action)` for the default Casbin policy, in a stable order."""
    return [
        (role.value, permission.resource, permission.action)
        for role in ShippedRole
        for grant in ("profile:read", *_GRANTS[role])
        for permission in _expand(grant)
    ]


ROLE_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
ROLE_NAME_MIN, ROLE_NAME_MAX = 3, 40


def check_custom_role(name: str, permissions: Iterable[str]) -> tuple[str, ...]:
    """Refuse a tenant-defined role with a bad or reserved name or unknown permissions.

    Returns the permissions sorted and without duplicates, ready to store.
    """
    errors: list[FieldError] = []
    if not (ROLE_NAME_MIN <= len(name) <= ROLE_NAME_MAX and ROLE_NAME.fullmatch(name)):
        errors.append(
            MESSAGES.field("name", "role_name_format", least=ROLE_NAME_MIN, most=ROLE_NAME_MAX)
        )
    elif name in {role.value for role in ShippedRole}:
        errors.append(MESSAGES.field("name", "role_name_reserved", name=name))
    requested = list(permissions)
    if not requested:
        errors.append(MESSAGES.field("permissions", "role_permissions_empty"))
    for index, key in enumerate(requested):
        if key not in CATALOGUE:
            errors.append(
                MESSAGES.field(f"permissions.{index}", "permission_unknown", permission=key)
            )
    if errors:
        raise MESSAGES.error("role_invalid", errors=errors)
    return tuple(sorted(set(requested)))
