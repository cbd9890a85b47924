"""A member's class and conditions as the point rules see them (tenant data)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import col

from domain.points import MESSAGES, check_conditions
from domain.shared import Guard, not_found
from infra.db.session import UnitOfWork
from infra.members import find_member_place
from infra.points.rule_sets import versions_in_force
from infra.points.tables import PointMemberProfile
from infra.tenancy import organization_ref


async def profile_of(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> PointMemberProfile | None:
    found = await uow.session.execute(
        select(PointMemberProfile).where(
            PointMemberProfile.tenant_id == tenant_id,  # type: ignore[arg-type]
            PointMemberProfile.member_id == member_id,  # type: ignore[arg-type]
        )
    )
    return found.scalar_one_or_none()


async def profiles_of(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, PointMemberProfile]:
    """Members' profiles, by member, in one read (a member with none is left out)."""
    if not member_ids:
        return {}
    found = await uow.session.execute(
        select(PointMemberProfile).where(
            PointMemberProfile.tenant_id == tenant_id,  # type: ignore[arg-type]
            col(PointMemberProfile.member_id).in_(list(member_ids)),
        )
    )
    return {p.member_id: p for p in found.scalars()}


async def set_profile(
    uow: UnitOfWork,
    guard: Guard,
    member_id: uuid.UUID,
    *,
    member_class: str | None,
    conditions: list[str],
    by: uuid.UUID,
) -> PointMemberProfile:
    """Set a member's class and conditions; the class must be one the scheme in force
    defines (or none)."""
    place = await find_member_place(uow, member_id)
    if place is None:
        raise not_found("member")
    org = await organization_ref(uow, place.organization_id, tenant_id=place.tenant_id)
    if org is None:
        raise not_found("member")
    guard.require("points", "classify", org.domain)
    if member_class is not None:
        versions = await versions_in_force(uow, place.tenant_id)
        defined = {c.code for v in versions for c in v.rules.classes}
        if member_class not in defined:
            raise MESSAGES.error(
                "point_rules_invalid",
                errors=[MESSAGES.field("member_class", "point_class_unknown", klass=member_class)],
            )
    profile = await profile_of(uow, place.tenant_id, member_id)
    if profile is None:
        profile = PointMemberProfile(
            tenant_id=place.tenant_id, member_id=member_id, conditions=[], updated_by=by
        )
    profile.member_class = member_class
    profile.conditions = check_conditions(conditions)
    profile.updated_by = by
    profile.updated_at = datetime.now(UTC)
    uow.session.add(profile)
    await uow.session.flush()
    uow.audit(
        "points.profile.update",
        "member",
        member_id,
        tenant_id=place.tenant_id,
        detail={"member_class": member_class, "conditions": profile.conditions},
    )
    return profile
