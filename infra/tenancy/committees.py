"""Committee posts (支委会职务) of an organization: add and remove."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError

from domain.shared import Guard, new_id, not_found
from domain.tenancy import CommitteePost as PostKind
from domain.tenancy import OrgKind, check_post, check_term
from infra.db.session import UnitOfWork
from infra.tenancy.organizations import get_org, org_domain_of
from infra.tenancy.tables import CommitteePost


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
    if term_end is not None:
        check_term(term_start, term_end)
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
