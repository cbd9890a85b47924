"""Listing and searching members (党员列表与查找) in the scope the caller may read."""

from __future__ import annotations

import uuid
from dataclasses import replace

from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, Guard
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.members import queries
from infra.members.loading import MemberRecord, get_org_or_404, get_tenant_or_404
from infra.protection import FieldProtector
from infra.tenancy import organization_names


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
        guard.require("member", "read", org.domain)
        filters = (
            replace(filters, organization_scope=(org.tenant_id, org.path))
            if include_descendants
            else replace(filters, organization_id=org.id)
        )
    if tenant_id is not None:
        tenant = await get_tenant_or_404(uow, tenant_id)
        if not guard.can("member", "read", tenant_domain(tenant.path)):
            raise _scope_required()
        filters = replace(filters, tenant_path=tenant.path)
    elif organization_id is None and not guard.can("member", "read"):
        raise _scope_required()
    members = await queries.list_members(
        uow, filters, protector, sort=sort, descending=descending, after=after, limit=limit
    )
    # The page's organization names in one statement, whatever the page size.
    names = await organization_names(uow, ((m.tenant_id, m.organization_id) for m in members))
    return [MemberRecord(m, names[(m.tenant_id, m.organization_id)]) for m in members]
