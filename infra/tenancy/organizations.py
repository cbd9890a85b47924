"""Organizations (党组织): create, list, read with structure warnings, update, move."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import select, text

from domain.shared import Guard, new_id, not_found, require_scopes
from domain.tenancy import (
    OrgKind,
    StructureWarning,
    authority_error,
    check_move,
    check_new_organization,
    org_child_path,
    org_domain,
    posts_held,
    structure_warnings,
    tenant_domain,
)
from domain.tenancy.messages import MESSAGES
from infra.authz import notify_change
from infra.db.session import UnitOfWork
from infra.tenancy.tables import CommitteePost, Organization
from infra.tenancy.tenants import get_tenant
from infra.tenancy.visibility import after, within_scopes


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
    approval_authority: bool = False,
) -> Organization:
    parent = await get_org(uow, parent_id) if parent_id else None
    tenant = await get_tenant(uow, parent.tenant_id if parent else (tenant_id or home_tenant_id))
    if tenant.level == "platform":
        raise MESSAGES.error(
            "organization_needs_tenant",
            errors=[MESSAGES.field("tenant_id", "organization_tenant_required", code="required")],
        )
    domain = org_domain(tenant.path, parent.path) if parent else tenant_domain(tenant.path)
    guard.require("organization", "create", domain)
    if approval_authority:
        guard.require("organization", "authorize", tenant_domain(tenant.path))
    org_kind = OrgKind(kind)
    check_new_organization(
        org_kind,
        OrgKind(parent.kind) if parent else None,
        established_on=established_on,
        ends_on=end_date,
        approval_authority=approval_authority,
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
        approval_authority=approval_authority,
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
    stmt = after(stmt, Organization.id, cursor).order_by(Organization.id).limit(limit + 1)  # type: ignore[arg-type]
    return list((await uow.session.execute(stmt)).scalars())


@dataclass(frozen=True, slots=True)
class OrgDetail:
    org: Organization
    posts: list[CommitteePost]
    warnings: list[StructureWarning]


class MemberCounts(Protocol):
    """Full members, and full and probationary ones, of some organizations of a tenant.

    The member registry answers; the composition root hands its query in, so that tenancy
    does not depend on the members context.
    """

    async def __call__(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, organization_ids: Sequence[uuid.UUID]
    ) -> tuple[int, int]: ...


async def read_organization(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, member_counts: MemberCounts
) -> OrgDetail:
    org = await get_org(uow, org_id)
    guard.require("organization", "read", await org_domain_of(uow, org))
    posts = await committee_posts(uow, org)
    today = datetime.now(UTC).date()
    current = posts_held(((p.post, p.term_end) for p in posts), today)
    full, total = await member_counts(uow, org.tenant_id, await subtree_ids(uow, org))
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


async def subtree_ids(uow: UnitOfWork, org: Organization) -> list[uuid.UUID]:
    """The organization and every organization below it."""
    stmt = select(Organization.id).where(
        Organization.tenant_id == org.tenant_id,  # type: ignore[arg-type]
        text("organization.path <@ CAST(:root_path AS ltree)").bindparams(root_path=org.path),
    )
    return list((await uow.session.execute(stmt)).scalars())


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
    if "approval_authority" in changes:
        guard.require(
            "organization", "authorize", tenant_domain((await get_tenant(uow, org.tenant_id)).path)
        )
        error = authority_error(OrgKind(org.kind), changes["approval_authority"])
        if error:
            raise MESSAGES.error(
                "organization_invalid", code="organization_invalid", errors=[error]
            )
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
        raise MESSAGES.error(
            "organization_move_across_tenants",
            errors=[
                MESSAGES.field("parent_id", "organization_parent_other_tenant", code="other_tenant")
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
