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

from domain.shared.errors import DomainError, FieldError, Message


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


def _p(resource: str, action: str, zh: str, en: str) -> Permission:
    return Permission(resource, action, Message(zh=zh, en=en))


PERMISSIONS: tuple[Permission, ...] = (
    _p("profile", "read", "查看本人账号、租户和角色", "View one's own account, tenant and roles"),
    _p("tenant", "read", "查看租户", "View tenants"),
    _p("tenant", "create", "创建下级租户", "Create child tenants"),
    _p("tenant", "update", "修改租户信息", "Edit tenants"),
    _p("tenant", "configure", "修改租户配置", "Change tenant settings"),
    _p("organization", "read", "查看党组织", "View organizations"),
    _p("organization", "create", "设立党组织", "Create organizations"),
    _p("organization", "update", "修改党组织信息和委员", "Edit organizations and committees"),
    _p("organization", "delete", "撤销党组织", "Dissolve organizations"),
    _p("organization", "move", "调整党组织隶属关系", "Move organizations in the tree"),
    _p("user", "read", "查看用户账号", "View user accounts"),
    _p("user", "create", "创建用户账号", "Create user accounts"),
    _p("user", "update", "修改用户账号、重置密码", "Edit user accounts, reset passwords"),
    _p("user", "disable", "停用用户账号", "Disable user accounts"),
    _p("role", "read", "查看角色", "View roles"),
    _p("role", "write", "创建和修改自定义角色", "Create and edit custom roles"),
    _p("role_assignment", "read", "查看角色授权", "View role assignments"),
    _p("role_assignment", "write", "授予和收回角色", "Grant and revoke roles"),
    _p("audit_event", "read", "查看审计日志", "View the audit log"),
    _p("member", "read", "查看党员信息（敏感信息脱敏）", "View members (sensitive data masked)"),
    _p("member", "write", "维护党员信息", "Edit members"),
    _p("member", "read_sensitive", "查看身份证号、手机号等敏感信息", "View ID numbers and phones"),
    _p("member", "import", "批量导入党员", "Import members"),
    _p("member", "export", "导出党员名册", "Export the member roll"),
    _p("activity", "read", "查看组织生活活动", "View activities"),
    _p("activity", "write", "安排和记录组织生活活动", "Plan and record activities"),
    _p("checkin", "read", "查看签到记录", "View check-ins"),
    _p("checkin", "create", "签到", "Check in"),
    _p("checkin", "sync", "同步离线签到", "Sync offline check-ins"),
    _p("checkin", "manage", "代签和更正签到", "Record and correct others' check-ins"),
    _p(
        "checkin",
        "supervise",
        "为下级租户的活动代签和更正签到",
        "Record and correct check-ins at subordinate tenants' activities",
    ),
    _p("evidence", "read", "查看佐证材料", "View evidence"),
    _p("evidence", "upload", "上传佐证材料", "Upload evidence"),
    _p("evidence", "delete", "删除佐证材料", "Delete evidence"),
    _p("job", "read", "查看后台任务进度", "View background job progress"),
    _p("job", "cancel", "取消后台任务", "Cancel background jobs"),
    _p("job", "retry", "重试失败的后台任务", "Retry failed background jobs"),
)

CATALOGUE: dict[str, Permission] = {p.key: p for p in PERMISSIONS}

# Running an activity's check-ins; `checkin:supervise` (marking from a superior tenant) is
# deliberately held by no shipped role: a tenant grants it through a custom role if it must.
_RUN_CHECKINS = ("checkin:read", "checkin:create", "checkin:sync", "checkin:manage")

_READ_ALL = ("tenant", "organization", "member", "activity", "checkin", "evidence", "job")

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
    ),
    ShippedRole.MEMBER: (
        "organization:read",
        "activity:read",
        "checkin:create",
        "checkin:sync",
        "evidence:read",
        "evidence:upload",
    ),
    ShippedRole.INSPECTOR: (*(f"{r}:read" for r in _READ_ALL), "audit_event:read"),
    ShippedRole.API_CLIENT: (
        "tenant:read",
        "organization:read",
        "member:read",
        "member:write",
        "activity:read",
        "activity:write",
        "checkin:read",
        "checkin:create",
        "checkin:sync",
        "evidence:read",
        "evidence:upload",
        "job:read",
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
            FieldError(
                "name",
                "role_name_format",
                Message(
                    zh=f"角色名须为{ROLE_NAME_MIN}至{ROLE_NAME_MAX}位小写字母、数字和下划线，"
                    "以字母开头",
                    en=f"A role name is {ROLE_NAME_MIN}-{ROLE_NAME_MAX} lowercase letters, "
                    "digits and underscores (snake_case), starting with a letter",
                ),
            )
        )
    elif name in {role.value for role in ShippedRole}:
        errors.append(
            FieldError(
                "name",
                "role_name_reserved",
                Message(zh=f"{name} 是系统内置角色名", en=f"{name} is a shipped role's name"),
            )
        )
    requested = list(permissions)
    if not requested:
        errors.append(
            FieldError(
                "permissions",
                "role_permissions_empty",
                Message(zh="角色至少须包含一项权限", en="A role needs at least one permission"),
            )
        )
    for index, key in enumerate(requested):
        if key not in CATALOGUE:
            errors.append(
                FieldError(
                    f"permissions.{index}",
                    "permission_unknown",
                    Message(zh=f"权限 {key} 不存在", en=f"There is no permission {key}"),
                )
            )
    if errors:
        raise DomainError(
            code="role_invalid",
            message=Message(zh="自定义角色不符合规则", en="The custom role is invalid"),
            errors=errors,
        )
    return tuple(sorted(set(requested)))
