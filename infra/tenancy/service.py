"""Tenancy use cases: tenants, organizations, users, roles, role assignments, audit.

Each function runs inside the caller's unit of work (so row-level security already
limits what exists), asks the `Guard` whether the caller may act in the resource's
domain, applies the domain rules and writes the change with its audit event.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import IntegrityError

from domain.shared import DomainError, FieldError, Message, new_id
from domain.tenancy import (
    PERMISSIONS,
    OrgKind,
    StructureWarning,
    TenantLevel,
    check_child_tenant,
    check_custom_role,
    check_move,
    check_new_organization,
    check_password,
    check_post,
    check_root_tenant,
    child_path,
    effective_settings,
    level_of_code,
    org_child_path,
    structure_warnings,
    validate_override,
)
from domain.tenancy import (
    CommitteePost as PostKind,
)
from infra.authz import (
    custom_role_subject,
    notify_change,
    org_domain,
    subtree,
    tenant_domain,
    user_subject,
)
from infra.db.scoping import within_scopes
from infra.db.session import Database, Scope, UnitOfWork
from infra.members.protect import FieldProtector
from infra.tenancy.accounts import check_current_password, keep_an_administrator, set_password
from infra.tenancy.auth import login_identifier
from infra.tenancy.grants import check_grantable, refuse_escalation, resolve_role
from infra.tenancy.sessions import end_sessions
from infra.tenancy.tables import (
    AppUser,
    AuditEvent,
    CommitteePost,
    CustomRole,
    LoginIdentity,
    Organization,
    RoleAssignment,
    Tenant,
)
from infra.tenancy.visibility import grants_within, users_within

# The platform root above the provinces: its code and ltree path (seeded once).
PLATFORM_CODE = "000000"
PLATFORM_PATH = "zb"


class Guard(Protocol):
    """The caller's permissions, as Casbin answers them."""

    def require(self, obj: str, act: str, domain: str | None = None) -> None: ...

    def can(self, obj: str, act: str, domain: str | None = None) -> bool: ...

    def scopes(self, obj: str, act: str) -> list[tuple[str, str | None]]: ...


def require_scopes(guard: Guard, obj: str, act: str) -> list[tuple[str, str | None]]:
    """Where the caller may `act` on `obj`; 403 when nowhere."""
    scopes = guard.scopes(obj, act)
    if not scopes:
        guard.require(obj, act)
    return scopes


def not_found(what: str) -> DomainError:
    return DomainError(
        f"{what}_not_found",
        Message("未找到该资源，或您无权查看。", "Not found, or not visible to you."),
        status=404,
    )


def conflict(code: str, zh: str, en: str, field: str | None = None) -> DomainError:
    errors = [FieldError(field, code, Message(zh, en))] if field else []
    return DomainError(code, Message(zh, en), status=409, errors=errors)


def _after(stmt: Select[Any], column: Any, cursor: uuid.UUID | None) -> Select[Any]:
    return stmt.where(column > cursor) if cursor else stmt


# ---------------------------------------------------------------- tenants


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
    child_level = TenantLevel(level) if level else level_of_code(code)
    if child_level is None:
        raise DomainError(
            "validation_failed",
            Message("行政区划代码应为6位数字。", "The code must be a 6-digit division code."),
            errors=[FieldError("code", "tenant_code_format", Message("代码格式错误", "bad code"))],
        )
    if parent.level == "platform":
        check_root_tenant(child_level, code)
    else:
        check_child_tenant(TenantLevel(parent.level), parent.code, child_level, code)
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
        raise conflict(
            "tenant_code_taken",
            f"区划代码 {code} 已被使用。",
            f"The code {code} is already in use.",
            "code",
        ) from exc
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
    stmt = _after(stmt, Tenant.id, cursor).order_by(Tenant.id).limit(limit + 1)  # type: ignore[arg-type]
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
    chain = (
        await uow.session.execute(text("SELECT zhibu_settings_chain(:t)"), {"t": tenant.id})
    ).scalars()
    return effective_settings(list(chain)).model_dump()


# ---------------------------------------------------------------- organizations


async def get_org(uow: UnitOfWork, org_id: uuid.UUID) -> Organization:
    org = (
        await uow.session.execute(select(Organization).where(Organization.id == org_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if org is None:
        raise not_found("organization")
    return org


async def org_domain_of(uow: UnitOfWork, org: Organization) -> str:
    tenant = await get_tenant(uow, org.tenant_id)
    return org_domain(tenant.path, org.path)


async def create_organization(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    kind: str,
    name: str,
    established_on: date | None,
    end_date: date | None,
    term_start: date | None,
    term_end: date | None,
) -> Organization:
    parent = await get_org(uow, parent_id) if parent_id else None
    tenant = await get_tenant(uow, parent.tenant_id if parent else (tenant_id or home_tenant_id))
    if tenant.level == "platform":
        raise DomainError(
            "organization_needs_tenant",
            Message("请在省、市、县租户内建立党组织。", "Organizations belong to a tenant."),
            errors=[FieldError("tenant_id", "required", Message("请指定租户", "required"))],
        )
    domain = org_domain(tenant.path, parent.path) if parent else tenant_domain(tenant.path)
    guard.require("organization", "create", domain)
    org_kind = OrgKind(kind)
    check_new_organization(
        org_kind,
        OrgKind(parent.kind) if parent else None,
        established_on=established_on,
        ends_on=end_date,
    )
    org_id = new_id()
    org = Organization(
        tenant_id=tenant.id,
        id=org_id,
        parent_id=parent.id if parent else None,
        kind=org_kind.value,
        name=name,
        path=org_child_path(parent.path if parent else None, org_id),
        established_on=established_on,
        end_date=end_date,
        term_start=term_start,
        term_end=term_end,
    )
    uow.session.add(org)
    await uow.session.flush()
    uow.audit(
        "organization.create", "organization", org.id, tenant_id=tenant.id, detail={"name": name}
    )
    return org


async def list_organizations(
    uow: UnitOfWork,
    guard: Guard,
    *,
    limit: int,
    cursor: uuid.UUID | None,
    tenant_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    under: uuid.UUID | None,
    kind: str | None,
    q: str | None,
) -> list[Organization]:
    scopes = require_scopes(guard, "organization", "read")
    stmt = select(Organization).where(
        within_scopes(scopes, tenant_id=Organization.tenant_id, org_path=Organization.path)
    )
    if tenant_id:
        stmt = stmt.where(Organization.tenant_id == tenant_id)
    if parent_id:
        stmt = stmt.where(Organization.parent_id == parent_id)
    if under:
        root = await get_org(uow, under)
        stmt = stmt.where(
            Organization.tenant_id == root.tenant_id,
            text("organization.path <@ CAST(:root_path AS ltree)").bindparams(root_path=root.path),
        )
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if q:
        stmt = stmt.where(Organization.name.contains(q, autoescape=True))  # type: ignore[attr-defined]
    stmt = _after(stmt, Organization.id, cursor).order_by(Organization.id).limit(limit + 1)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


@dataclass(frozen=True, slots=True)
class OrgDetail:
    org: Organization
    posts: list[CommitteePost]
    warnings: list[StructureWarning]


async def read_organization(uow: UnitOfWork, guard: Guard, org_id: uuid.UUID) -> OrgDetail:
    org = await get_org(uow, org_id)
    guard.require("organization", "read", await org_domain_of(uow, org))
    posts = await committee_posts(uow, org)
    today = datetime.now(UTC).date()
    current = {p.post for p in posts if p.term_end is None or p.term_end >= today}
    full, total = await member_counts(uow, org)
    warnings = structure_warnings(
        OrgKind(org.kind),
        full_member_count=full,
        member_count=total,
        posts_filled=current,
        term_end=org.term_end,
        today=today,
        ends_on=org.end_date,
    )
    return OrgDetail(org, posts, warnings)


async def member_counts(uow: UnitOfWork, org: Organization) -> tuple[int, int]:
    """Full and all members in the organization's subtree, from the member registry."""
    exists = (await uow.session.execute(text("SELECT to_regclass('member') IS NOT NULL"))).scalar()
    if not exists:
        return 0, 0
    row = (
        await uow.session.execute(
            text(
                "SELECT count(*) FILTER (WHERE m.status = 'full'),"
                " count(*) FILTER (WHERE m.status IN ('full', 'probationary'))"
                " FROM member m JOIN organization o"
                "   ON o.tenant_id = m.tenant_id AND o.id = m.organization_id"
                " WHERE m.tenant_id = :t AND o.path <@ CAST(:p AS ltree)"
            ),
            {"t": org.tenant_id, "p": org.path},
        )
    ).one()
    return int(row[0]), int(row[1])


async def committee_posts(uow: UnitOfWork, org: Organization) -> list[CommitteePost]:
    stmt = (
        select(CommitteePost)
        .where(
            CommitteePost.tenant_id == org.tenant_id,  # type: ignore[arg-type]
            CommitteePost.organization_id == org.id,  # type: ignore[arg-type]
        )
        .order_by(CommitteePost.term_start.desc())  # type: ignore[attr-defined]
    )
    return list((await uow.session.execute(stmt)).scalars())


async def update_organization(
    uow: UnitOfWork,
    guard: Guard,
    org_id: uuid.UUID,
    *,
    changes: dict[str, Any],
) -> Organization:
    org = await get_org(uow, org_id)
    guard.require("organization", "update", await org_domain_of(uow, org))
    if OrgKind(org.kind) is OrgKind.TEMPORARY_BRANCH or "end_date" in changes:
        check_new_organization(
            OrgKind(org.kind),
            None if org.parent_id is None else OrgKind((await get_org(uow, org.parent_id)).kind),
            established_on=changes.get("established_on", org.established_on),
            ends_on=changes.get("end_date", org.end_date),
        )
    for key, value in changes.items():
        setattr(org, key, value)
    if changes:
        org.version += 1
        org.updated_at = datetime.now(UTC)
        uow.session.add(org)
        uow.audit(
            "organization.update",
            "organization",
            org.id,
            tenant_id=org.tenant_id,
            detail={k: str(v) for k, v in changes.items()},
        )
    return org


async def move_organization(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, new_parent_id: uuid.UUID
) -> Organization:
    """Re-hang a subtree; every path below it changes in the same transaction."""
    org = await get_org(uow, org_id)
    new_parent = await get_org(uow, new_parent_id)
    if new_parent.tenant_id != org.tenant_id:
        raise DomainError(
            "organization_move_across_tenants",
            Message("党组织只能在本租户内移动。", "Organizations move within their tenant only."),
            errors=[
                FieldError("parent_id", "other_tenant", Message("上级组织不在本租户", "other"))
            ],
        )
    guard.require("organization", "move", await org_domain_of(uow, org))
    guard.require("organization", "move", await org_domain_of(uow, new_parent))
    check_move(org.path, OrgKind(org.kind), new_parent.path, OrgKind(new_parent.kind))
    old_path = org.path
    new_path = org_child_path(new_parent.path, org.id)
    await uow.session.execute(
        text(
            "UPDATE organization SET"
            # subpath() refuses an empty remainder, so the moved node itself is a case apart.
            "  path = CASE WHEN path = CAST(:old AS ltree) THEN CAST(:new AS ltree)"
            "    ELSE CAST(:new AS ltree) || subpath(path, nlevel(CAST(:old AS ltree))) END,"
            "  parent_id = CASE WHEN id = :id THEN CAST(:parent AS uuid) ELSE parent_id END,"
            "  version = version + 1, updated_at = now()"
            " WHERE tenant_id = :t AND path <@ CAST(:old AS ltree)"
        ),
        {
            "new": new_path,
            "old": old_path,
            "id": org.id,
            "parent": new_parent.id,
            "t": org.tenant_id,
        },
    )
    tenant = await get_tenant(uow, org.tenant_id)
    moved = await uow.session.execute(
        text(
            "UPDATE role_assignment ra"
            " SET domain = :tdom || replace(o.path::text, '.', '/') || '/*'"
            " FROM organization o"
            " WHERE ra.tenant_id = o.tenant_id AND ra.organization_id = o.id"
            "   AND o.tenant_id = :t AND o.path <@ CAST(:new AS ltree)"
        ),
        {"tdom": tenant_domain(tenant.path), "t": org.tenant_id, "new": new_path},
    )
    if getattr(moved, "rowcount", 0):
        await notify_change(uow.session, {"op": "reload"})
    uow.audit(
        "organization.move",
        "organization",
        org.id,
        tenant_id=org.tenant_id,
        detail={"from": str(org.parent_id), "to": str(new_parent.id)},
    )
    await uow.session.refresh(org)
    return org


async def add_committee_post(
    uow: UnitOfWork,
    guard: Guard,
    org_id: uuid.UUID,
    *,
    post: str,
    holder_name: str,
    user_id: uuid.UUID | None,
    term_start: date,
    term_end: date | None,
) -> CommitteePost:
    org = await get_org(uow, org_id)
    guard.require("organization", "update", await org_domain_of(uow, org))
    check_post(OrgKind(org.kind), PostKind(post))
    if term_end is not None and term_end <= term_start:
        raise DomainError(
            "validation_failed",
            Message("任期结束日期应晚于开始日期。", "The term must end after it starts."),
            errors=[FieldError("term_end", "before_start", Message("早于开始日期", "too early"))],
        )
    row = CommitteePost(
        tenant_id=org.tenant_id,
        id=new_id(),
        organization_id=org.id,
        post=post,
        holder_name=holder_name,
        user_id=user_id,
        term_start=term_start,
        term_end=term_end,
    )
    uow.session.add(row)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise not_found("user") from exc
    uow.audit(
        "organization.post_add",
        "committee_post",
        row.id,
        tenant_id=org.tenant_id,
        detail={"organization_id": str(org.id), "post": post},
    )
    return row


async def remove_committee_post(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, post_id: uuid.UUID
) -> None:
    org = await get_org(uow, org_id)
    guard.require("organization", "update", await org_domain_of(uow, org))
    row = await uow.session.get(CommitteePost, (org.tenant_id, post_id))
    if row is None or row.organization_id != org.id:
        raise not_found("committee_post")
    await uow.session.delete(row)
    uow.audit("organization.post_remove", "committee_post", post_id, tenant_id=org.tenant_id)


# ---------------------------------------------------------------- users

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,39}$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def _check_user_fields(username: str | None, phone: str | None) -> None:
    errors: list[FieldError] = []
    if username is not None and not _USERNAME.match(username):
        errors.append(
            FieldError(
                "username",
                "username_format",
                Message(
                    "用户名须为3至40位字母、数字、点、横线或下划线，以字母开头。",
                    "3-40 letters, digits, dot, dash or underscore, starting with a letter.",
                ),
            )
        )
    if phone is not None and not _PHONE.match(phone):
        errors.append(
            FieldError(
                "phone",
                "phone_format",
                Message(
                    "手机号应为11位中国大陆手机号码。", "Use an 11-digit mainland mobile number."
                ),
            )
        )
    if errors:
        raise DomainError(
            "validation_failed", Message("用户信息有误。", "Invalid user."), errors=errors
        )


async def get_user(uow: UnitOfWork, user_id: uuid.UUID) -> AppUser:
    user = (
        await uow.session.execute(select(AppUser).where(AppUser.id == user_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if user is None:
        raise not_found("user")
    return user


async def create_user(
    uow: UnitOfWork,
    guard: Guard,
    *,
    home_tenant_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    username: str,
    display_name: str,
    phone: str | None,
    password: str,
    password_hash: str,
    protector: FieldProtector,
) -> AppUser:
    """Create an account; `password_hash` was computed before the transaction began."""
    tenant = await get_tenant(uow, tenant_id or home_tenant_id)
    guard.require("user", "create", tenant_domain(tenant.path))
    _check_user_fields(username, phone)
    check_password(password, username, phone)
    user = AppUser(
        tenant_id=tenant.id,
        id=new_id(),
        username=username,
        display_name=display_name,
        password_hash=password_hash,
    )
    if phone is not None:
        _set_phone(user, protector, phone)
    try:
        async with uow.session.begin_nested():
            uow.session.add(user)
            await uow.session.flush()
    except IntegrityError as exc:
        raise _identifier_taken("username", username) from exc
    await _claim_identifiers(uow, user, protector, username, phone)
    uow.audit("user.create", "user", user.id, tenant_id=tenant.id, detail={"username": username})
    return user


def _set_phone(user: AppUser, protector: FieldProtector, phone: str) -> None:
    sealed = protector.staff_phone(phone)
    user.phone_enc = sealed.ciphertext
    user.phone_bidx = sealed.blind_index
    user.phone_masked = sealed.masked


async def _claim_identifiers(
    uow: UnitOfWork,
    user: AppUser,
    protector: FieldProtector,
    username: str | None,
    phone: str | None,
) -> None:
    for raw, field in ((username, "username"), (phone, "phone")):
        if raw is None:
            continue
        try:
            async with uow.session.begin_nested():
                uow.session.add(
                    LoginIdentity(
                        identifier=login_identifier(raw, protector),
                        tenant_id=user.tenant_id,
                        user_id=user.id,
                    )
                )
                await uow.session.flush()
        except IntegrityError as exc:
            shown = raw if field == "username" else user.phone_masked
            raise _identifier_taken(field, shown) from exc


def _identifier_taken(field: str, shown: str | None) -> DomainError:
    """409 for a username or phone already in use, whichever tenant holds it."""
    return conflict(
        f"{field}_taken",
        f"{'用户名' if field == 'username' else '手机号'} {shown} 已被使用。",
        f"The {field} {shown} is already in use.",
        field,
    )


async def list_users(
    uow: UnitOfWork,
    guard: Guard,
    *,
    limit: int,
    cursor: uuid.UUID | None,
    tenant_id: uuid.UUID | None,
    q: str | None,
) -> list[AppUser]:
    scopes = require_scopes(guard, "user", "read")
    stmt = select(AppUser).where(users_within(scopes))
    if tenant_id:
        stmt = stmt.where(AppUser.tenant_id == tenant_id)
    if q:
        stmt = stmt.where(
            AppUser.username.contains(q, autoescape=True)  # type: ignore[attr-defined]
            | AppUser.display_name.contains(q, autoescape=True)  # type: ignore[attr-defined]
        )
    stmt = _after(stmt, AppUser.id, cursor).order_by(AppUser.id).limit(limit + 1)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


async def read_user(uow: UnitOfWork, guard: Guard, user_id: uuid.UUID) -> AppUser:
    user = await get_user(uow, user_id)
    domain = tenant_domain((await get_tenant(uow, user.tenant_id)).path)
    if not guard.can("user", "read", domain):
        seen = await uow.session.execute(
            select(AppUser.id).where(
                AppUser.id == user.id,  # type: ignore[arg-type]
                users_within(guard.scopes("user", "read")),
            )
        )
        if seen.first() is None:
            guard.require("user", "read", domain)
    return user


async def update_user(
    uow: UnitOfWork,
    guard: Guard,
    user_id: uuid.UUID,
    *,
    display_name: str | None,
    phone: str | None,
    is_active: bool | None,
    password: str | None,
    caller_id: uuid.UUID,
    password_hash: str | None,
    protector: FieldProtector,
    current_password: str | None = None,
) -> AppUser:
    """Edit an account; deactivating it or setting its password ends its sessions.

    A new password comes with its hash, made before the transaction began.
    """
    user = await get_user(uow, user_id)
    domain = tenant_domain((await get_tenant(uow, user.tenant_id)).path)
    guard.require("user", "update", domain)
    _check_user_fields(None, phone)
    changed: list[str] = []
    if display_name is not None:
        user.display_name = display_name
        changed.append("display_name")
    if is_active is not None:
        guard.require("user", "disable", domain)
        if user.is_active and not is_active:
            await keep_an_administrator(uow, user.id)
            await end_sessions(uow, tenant_id=user.tenant_id, user_id=user.id)
        user.is_active = is_active
        changed.append("is_active")
    if password is not None:
        if user.id == caller_id:
            await check_current_password(user.password_hash, current_password)
        current = protector.reveal_staff_phone(user.phone_enc) if user.phone_enc else None
        await set_password(uow, user, password, password_hash=password_hash, phone=phone or current)
        changed.append("password")
    if phone is not None and protector.staff_phone_index(phone) != user.phone_bidx:
        if user.phone_bidx:
            old = await uow.session.get(LoginIdentity, "p:" + user.phone_bidx.hex())
            if old is not None:
                await uow.session.delete(old)
                await uow.session.flush()
        _set_phone(user, protector, phone)
        await _claim_identifiers(uow, user, protector, None, phone)
        changed.append("phone")
    if changed:
        user.version += 1
        user.updated_at = datetime.now(UTC)
        uow.session.add(user)
        uow.audit(
            "user.update", "user", user.id, tenant_id=user.tenant_id, detail={"fields": changed}
        )
    return user


# ---------------------------------------------------------------- roles


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
        raise conflict(
            "role_name_taken", f"角色名 {name} 已存在。", f"The role {name} exists.", "name"
        ) from exc
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
        raise conflict(
            "role_in_use",
            f"该角色仍授予 {in_use} 个用户，请先撤销。",
            f"The role is still assigned to {in_use} users; revoke them first.",
        )
    await uow.session.delete(role)
    await notify_change(uow.session, {"op": "reload"})
    uow.audit("role.delete", "role", role.id, tenant_id=role.tenant_id, detail={"name": role.name})


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
    if not domain.startswith(tenant_domain(user_tenant.path)):
        raise DomainError(
            "role_outside_user_tenant",
            Message(
                "只能在用户所属租户及其下级范围内授予角色。",
                "Roles are granted within the user's own tenant subtree.",
            ),
            errors=[FieldError("tenant_id", "outside", Message("超出范围", "outside"))],
        )
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
        raise conflict(
            "role_already_granted", "该用户已拥有此角色。", "The user already holds this role."
        ) from exc
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
    stmt = _after(stmt, RoleAssignment.id, cursor).order_by(RoleAssignment.id).limit(limit + 1)  # type: ignore[arg-type]
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


# ---------------------------------------------------------------- audit


async def list_audit_events(
    uow: UnitOfWork,
    guard: Guard,
    *,
    limit: int,
    cursor: uuid.UUID | None,
    action: str | None,
    resource_type: str | None,
    actor_id: uuid.UUID | None,
    tenant_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
) -> list[AuditEvent]:
    scopes = require_scopes(guard, "audit_event", "read")
    stmt = select(AuditEvent).where(within_scopes(scopes, tenant_id=AuditEvent.tenant_id))
    for column, value in (
        (AuditEvent.action, action),
        (AuditEvent.resource_type, resource_type),
        (AuditEvent.actor_id, actor_id),
        (AuditEvent.tenant_id, tenant_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)  # type: ignore[operator]
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)  # type: ignore[operator]
    if cursor:
        stmt = stmt.where(AuditEvent.id < cursor)  # type: ignore[operator]
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)  # type: ignore[attr-defined]
    return list((await uow.session.execute(stmt)).scalars())


def permission_keys() -> list[str]:
    return sorted(PERMISSIONS)


# ---------------------------------------------------------------- me


@dataclass(frozen=True, slots=True)
class Profile:
    """What `/me` shows of the caller's account and tenant."""

    username: str
    display_name: str
    phone: str | None
    tenant_code: str
    tenant_name: str
    tenant_level: str
    tenant_path: str


_PROFILE_SQL = (
    "SELECT u.username, u.display_name, u.phone_masked, t.code, t.name, t.level, t.path::text"
    " FROM app_user u JOIN tenant t ON t.id = u.tenant_id"
    " WHERE u.tenant_id = %(tenant)s AND u.id = %(user)s AND u.is_active"
)


async def profile(db: Database, scope: Scope, tenant_id: uuid.UUID) -> Profile:
    """The caller's own account in one round trip: /me is the most frequent request."""
    rows = await db.fetch_scoped(scope, _PROFILE_SQL, {"tenant": tenant_id, "user": scope.user_id})
    if not rows:
        raise DomainError(
            "session_expired",
            Message("账号不可用，请重新登录。", "The account is not available; log in again."),
            status=401,
        )
    return Profile(*rows[0])
