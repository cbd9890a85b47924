"""Listing applicants (入党申请人名单) where the caller may read them, filtered and paged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, any_, cast, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from domain.shared import Guard, not_found, require_scopes
from infra.db.session import UnitOfWork
from infra.development.applicants import ApplicantRecord
from infra.development.tables import Applicant
from infra.tenancy import (
    ORGANIZATIONS,
    OrganizationRef,
    organization_ids_under,
    organization_ref,
    organization_refs,
    tenant_ids_within,
    within_scopes,
)


@dataclass(frozen=True, slots=True)
class ApplicantFilter:
    organization_id: uuid.UUID | None = None
    include_descendants: bool = False
    status: str | None = None
    stage: int | None = None
    current_step: int | None = None
    overdue_on: date | None = None
    """Only files whose next step was due before this day (today: what is overdue)."""
    due_by: date | None = None
    """Only files whose next step is due on or before this day."""
    notice_open_on: date | None = None
    """Only files with a public notice running on this day."""
    member_id: uuid.UUID | None = None
    """Only the file of the person who became this member (the file stays attached)."""


def _uuids(ids: list[uuid.UUID]) -> Any:
    return cast(ids, ARRAY(UUID(as_uuid=True)))


async def list_applicants(
    uow: UnitOfWork,
    guard: Guard,
    filters: ApplicantFilter,
    *,
    after: uuid.UUID | None,
    limit: int,
) -> list[ApplicantRecord]:
    """Applicants of one organization (or its subtree), else of every scope where the
    caller holds applicant:read; in id order (ids are time-ordered: oldest first)."""
    orgs = ORGANIZATIONS
    one: OrganizationRef | None = None
    stmt: Any = select(Applicant)
    joined = and_(orgs.c.tenant_id == Applicant.tenant_id, orgs.c.id == Applicant.organization_id)
    if filters.organization_id is not None:
        org = await organization_ref(uow, filters.organization_id)
        if org is None:
            raise not_found("organization")
        guard.require("applicant", "read", org.domain)
        stmt = stmt.where(Applicant.tenant_id == org.tenant_id)
        if filters.include_descendants:
            # The subtree's ids as values, for the same reason as the tenants' below.
            under = await uow.session.execute(organization_ids_under(org.tenant_id, org.path))
            stmt = stmt.where(Applicant.organization_id == any_(_uuids([i for _, i in under])))
        else:
            stmt = stmt.where(Applicant.organization_id == org.id)
            one = org
    else:
        scopes = require_scopes(guard, "applicant", "read")
        # A scope held on an organization needs the tree joined. Tenant-wide scopes become
        # their tenants' ids, so that the queues walk their index in id order and stop at
        # the page (a sub-select on the tree made the planner sort every overdue file).
        if any(organization_path is not None for _, organization_path in scopes):
            stmt = stmt.join(orgs, joined)
            stmt = stmt.where(
                within_scopes(scopes, tenant_id=Applicant.tenant_id, org_path=orgs.c.path)
            )
        else:
            ids = await tenant_ids_within(uow, scopes)
            stmt = stmt.where(Applicant.tenant_id == any_(_uuids(ids)))
    if filters.status is not None:
        stmt = stmt.where(Applicant.status == filters.status)
    if filters.stage is not None:
        stmt = stmt.where(Applicant.stage == filters.stage)
    if filters.current_step is not None:
        stmt = stmt.where(Applicant.current_step == filters.current_step)
    if filters.overdue_on is not None:
        stmt = stmt.where(Applicant.due_by < filters.overdue_on)  # type: ignore[operator]
    if filters.due_by is not None:
        stmt = stmt.where(Applicant.due_by <= filters.due_by)  # type: ignore[operator]
    if filters.notice_open_on is not None:
        stmt = stmt.where(Applicant.notice_ends_on >= filters.notice_open_on)  # type: ignore[operator]
    if filters.member_id is not None:
        stmt = stmt.where(Applicant.member_id == filters.member_id)
    if after is not None:
        stmt = stmt.where(Applicant.id > after)
    rows = list((await uow.session.execute(stmt.order_by(Applicant.id).limit(limit + 1))).scalars())
    # One organization's queue names its organization already: no second lookup.
    refs = (
        {one.id: one}
        if one is not None
        else await organization_refs(uow, sorted({r.organization_id for r in rows}))
    )
    return [ApplicantRecord(r, refs[r.organization_id]) for r in rows if r.organization_id in refs]
