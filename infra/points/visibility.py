"""Whose points a caller may see (the 2023 rules against ranking people by points).

A member always sees their own ledger; staff holding `points:read` over the member's
organization (a branch secretary, their branch) see it too. Other members see it only
where the tenant turned `rankings_enabled` on, and then only within their own
organization. Anyone else is told the member does not exist, as for a member out of scope.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.shared import Guard, not_found
from infra.db.session import UnitOfWork
from infra.members import MemberPlace, find_member_place, member_of_user
from infra.tenancy import OrganizationRef, effective_settings_of, organization_ref


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads: their account and home tenant."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class SeenMember:
    place: MemberPlace
    organization: OrganizationRef
    own: bool


async def member_points_seen_by(
    uow: UnitOfWork, guard: Guard, reader: Reader, member_id: uuid.UUID
) -> SeenMember:
    place = await find_member_place(uow, member_id)
    if place is None:
        raise not_found("member")
    org = await organization_ref(uow, place.organization_id, tenant_id=place.tenant_id)
    if org is None:
        raise not_found("member")
    mine = await member_of_user(uow, reader.tenant_id, reader.user_id)
    if mine is not None and mine.id == member_id:
        return SeenMember(place, org, own=True)
    if guard.can("points", "read", org.domain):
        return SeenMember(place, org, own=False)
    if mine is not None and mine.organization_id == place.organization_id:
        settings = await effective_settings_of(uow, place.tenant_id)
        if settings.rankings_enabled:
            return SeenMember(place, org, own=False)
    raise not_found("member")
