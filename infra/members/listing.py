"""Listing and searching members (党员列表与查找) in the scope the caller may read."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy import select, tuple_

from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, Guard
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.members import queries
from infra.members.loading import MemberRecord, get_org_or_404
from infra.members.protect import FieldProtector
from infra.members.tables import Member
from infra.tenancy import get_tenant, org_domain_of
from infra.tenancy.tables import Organization


def _scope_required() -> DomainError:
    return DomainError(
        "member_scope_required",
        MESSAGES.message("members.member_scope_required"),
        kind=ErrorKind.FORBIDDEN,
    )


async def list_members(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    *,
    organization_id: uuid.UUID | None,
    include_descendants: bool,
    tenant_id: uuid.UUID | None,
    filters: queries.MemberFilter,
    sort: queries.SortKey,
    descending: bool,
    after: queries.Keyset | None,
    limit: int,
) -> list[MemberRecord]:
    """Members of an organization (subtree) or of the caller's visible tenant subtree.

    Without `organization_id` the caller needs member:read on their whole tenant (or on
    `tenant_id`); branch secretaries list their own organizations.
    """
    if organization_id is not None:
        org = await get_org_or_404(uow, organization_id)
        guard.require("member", "read", await org_domain_of(uow, org))
        filters = (
            replace(filters, organization_scope=(org.tenant_id, org.path))
            if include_descendants
            else replace(filters, organization_id=org.id)
        )
    if tenant_id is not None:
        tenant = await get_tenant(uow, tenant_id)
        if not guard.can("member", "read", tenant_domain(tenant.path)):
            raise _scope_required()
        filters = replace(filters, tenant_path=tenant.path)
    elif organization_id is None and not guard.can("member", "read"):
        raise _scope_required()
    members = await queries.list_members(
        uow, filters, protector, sort=sort, descending=descending, after=after, limit=limit
    )
    return [MemberRecord(m, org) for m, org in await _with_organizations(uow, members)]


async def _with_organizations(
    uow: UnitOfWork, members: list[Member]
) -> list[tuple[Member, Organization]]:
    """Each member with its organization, read in one statement for the whole page."""
    keys = {(m.tenant_id, m.organization_id) for m in members}
    if not keys:
        return []
    found = await uow.session.execute(
        select(Organization).where(
            tuple_(Organization.tenant_id, Organization.id).in_(sorted(keys))  # type: ignore[arg-type]
        )
    )
    orgs = {(o.tenant_id, o.id): o for o in found.scalars()}
    return [(m, orgs[(m.tenant_id, m.organization_id)]) for m in members]
