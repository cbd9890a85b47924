"""Request and response bodies of the tenancy endpoints (msgspec: strict and fast)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

Name = Annotated[
    str, Meta(min_length=1, pattern=r"\S", max_length=100, examples=["深圳市福田区直属机关工委"])
]
Code = Annotated[str, Meta(pattern=r"^\d{6}$", examples=["440304"], description="行政区划代码")]
Username = Annotated[str, Meta(min_length=1, max_length=64, examples=["futian_admin"])]
Password = Annotated[str, Meta(min_length=1, max_length=128, examples=["Zhibu-2026-secure"])]
Phone = Annotated[
    str, Meta(min_length=11, max_length=11, pattern=r"^1[3-9][0-9]{9}$", examples=["13800138000"])
]
MaskedPhone = Annotated[
    str | None,
    Meta(description="手机号（脱敏，加密存储）Phone, masked", examples=["138****8000"]),
]
SettingsDoc = Annotated[
    dict[str, Any],
    Meta(
        description="本级覆盖的配置项，未列出的继承上级 Overrides; the rest is inherited",
        examples=[{"rankings_enabled": False, "transfer_letter_validity_days": 60}],
    ),
]
Level = Literal["province", "city", "county"]
OrgKindName = Literal[
    "party_committee", "general_branch", "branch", "party_group", "temporary_branch"
]
PostName = Literal[
    "secretary",
    "deputy_secretary",
    "organization_officer",
    "publicity_officer",
    "discipline_officer",
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class LoginIn(Strict):
    """用户名或手机号登录 Log in with a username or a mobile number."""

    username: Annotated[str, Meta(min_length=1, max_length=64, examples=["admin", "13800138000"])]
    password: Password


class RefreshIn(Strict):
    refresh_token: Annotated[str, Meta(min_length=1, max_length=200, examples=["rt.0193…"])]


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


class TenantBrief(msgspec.Struct):
    id: uuid.UUID
    code: str
    name: str
    level: str
    path: str


class RoleGrant(msgspec.Struct):
    role: str
    domain: str


class MeOut(msgspec.Struct):
    id: uuid.UUID
    username: str
    display_name: str
    phone: MaskedPhone
    tenant: TenantBrief
    roles: list[RoleGrant]
    scope: str
    api_scopes: Annotated[
        list[str] | None,
        Meta(
            description="接口客户端：其令牌的授权范围 For an API client: its token's scopes",
            examples=[["members:read", "events:read"]],
        ),
    ] = None


class TenantIn(Strict):
    """新建下级租户 A child tenant (province by a platform admin, else one level down)."""

    code: Code
    name: Name
    parent_id: uuid.UUID | None = None
    level: Level | None = None
    settings: SettingsDoc | None = None


class TenantPatch(Strict):
    name: Name | None = None
    settings: SettingsDoc | None = None


class TenantOut(msgspec.Struct):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    code: str
    name: str
    level: str
    path: str
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    version: int


ApprovalAuthority = Annotated[
    bool,
    Meta(
        description="审批权限：基层党委可审批发展党员（接收预备党员、转正）；党总支、党支部不能。"
        "由租户管理员设定（organization:authorize）。"
    ),
]


class OrganizationIn(Strict):
    """新建党组织 A party organization (党委/党总支/党支部/党小组/临时党支部)."""

    kind: OrgKindName
    name: Annotated[
        str, Meta(min_length=1, pattern=r"\S", max_length=100, examples=["区委办公室党支部"])
    ]
    parent_id: uuid.UUID | None = None
    tenant_id: uuid.UUID | None = None
    established_on: date | None = None
    end_date: date | None = None
    term_start: date | None = None
    term_end: date | None = None
    approval_authority: ApprovalAuthority = False


class OrganizationPatch(Strict):
    """Only the fields sent change; `null` clears a date."""

    name: (
        Annotated[
            str, Meta(min_length=1, pattern=r"\S", max_length=100, examples=["区委办公室党支部"])
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    established_on: date | msgspec.UnsetType | None = msgspec.UNSET
    end_date: date | msgspec.UnsetType | None = msgspec.UNSET
    term_start: date | msgspec.UnsetType | None = msgspec.UNSET
    term_end: date | msgspec.UnsetType | None = msgspec.UNSET
    approval_authority: ApprovalAuthority | msgspec.UnsetType = msgspec.UNSET


def sent_fields(data: msgspec.Struct) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}


class MoveIn(Strict):
    parent_id: uuid.UUID


class WarningOut(msgspec.Struct):
    code: str
    message: str


class CommitteePostIn(Strict):
    post: PostName
    holder_name: Annotated[str, Meta(min_length=1, pattern=r"\S", max_length=50, examples=["张三"])]
    term_start: date
    user_id: uuid.UUID | None = None
    term_end: date | None = None


class CommitteePostOut(msgspec.Struct):
    id: uuid.UUID
    post: str
    holder_name: str
    user_id: uuid.UUID | None
    term_start: date
    term_end: date | None


class OrganizationOut(msgspec.Struct):
    id: uuid.UUID
    tenant_id: uuid.UUID
    parent_id: uuid.UUID | None
    kind: str
    name: str
    path: str
    established_on: date | None
    end_date: date | None
    term_start: date | None
    term_end: date | None
    approval_authority: ApprovalAuthority
    version: int


class OrganizationDetailOut(msgspec.Struct):
    organization: OrganizationOut
    committee: list[CommitteePostOut]
    warnings: list[WarningOut]


class UserIn(Strict):
    username: Annotated[
        str,
        Meta(
            min_length=3,
            max_length=40,
            pattern=r"^[A-Za-z][A-Za-z0-9_.-]{2,39}$",
            examples=["futian_secretary"],
            description="字母开头，字母、数字、点、横线或下划线 Starts with a letter",
        ),
    ]
    display_name: Annotated[
        str, Meta(min_length=1, pattern=r"\S", max_length=50, examples=["李四"])
    ]
    password: Password
    phone: Phone | None = None
    tenant_id: uuid.UUID | None = None


class UserPatch(Strict):
    display_name: (
        Annotated[str, Meta(min_length=1, pattern=r"\S", max_length=50, examples=["李四"])] | None
    ) = None
    phone: Phone | None = None
    is_active: bool | None = None
    password: Password | None = None
    current_password: Password | None = None  # required to change one's own password


class PasswordChangeIn(Strict):
    """修改本人密码 Change one's own password; every session of the account ends."""

    current_password: Password
    new_password: Password


class UserOut(msgspec.Struct):
    id: uuid.UUID
    tenant_id: uuid.UUID
    username: str
    display_name: str
    phone: MaskedPhone
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


class PermissionOut(msgspec.Struct):
    key: str
    description: str


class RoleOut(msgspec.Struct):
    name: str
    display_name: str
    shipped: bool
    permissions: list[str]
    id: uuid.UUID | None = None
    tenant_id: uuid.UUID | None = None


class RoleIn(Strict):
    """自定义角色 A tenant-defined role built from the permission catalogue."""

    name: Annotated[str, Meta(min_length=3, max_length=40, examples=["dues_clerk"])]
    display_name: Annotated[
        str, Meta(min_length=1, pattern=r"\S", max_length=50, examples=["党费管理员"])
    ]
    permissions: Annotated[
        list[str], Meta(min_length=1, max_length=100, examples=[["member:read"]])
    ]
    tenant_id: uuid.UUID | None = None


class RolePatch(Strict):
    display_name: (
        Annotated[str, Meta(min_length=1, pattern=r"\S", max_length=50, examples=["党费管理员"])]
        | None
    ) = None
    permissions: (
        Annotated[list[str], Meta(min_length=1, max_length=100, examples=[["member:read"]])] | None
    ) = None


class RoleAssignmentIn(Strict):
    """授予角色 Grant a role on a tenant (default: the user's) or an organization subtree."""

    user_id: uuid.UUID
    role: Annotated[str, Meta(min_length=3, max_length=40, examples=["org_secretary"])]
    tenant_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None


class RoleAssignmentOut(msgspec.Struct):
    id: uuid.UUID
    user_id: uuid.UUID
    role: str
    domain: str
    scope_tenant_id: uuid.UUID
    organization_id: uuid.UUID | None
    granted_by: uuid.UUID | None
    created_at: datetime


class AuditEventOut(msgspec.Struct):
    id: uuid.UUID
    tenant_id: uuid.UUID
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str
    client_addr: str | None
    request_id: str | None
    detail: dict[str, Any]
