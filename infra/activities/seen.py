"""What other contexts may know of an activity the caller sees (evidence attaches to one).

Published through `infra.activities`: plain facts, so no other context reads the
activity, organization or membership tables, or decides who sees an activity.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import col

from domain.activities import GeoPoint, distance_m
from infra.activities.tables import Activity
from infra.activities.visibility import Caller, Guard, load_access
from infra.db.session import UnitOfWork


@dataclass(frozen=True, slots=True)
class SeenActivity:
    """An activity as one caller may see it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    kind: str
    """三会一课 and the rest (`branch_congress`, `committee_meeting` …)."""
    status: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    latitude: float | None
    longitude: float | None
    organizer_id: uuid.UUID
    """The organizing organization: events about the activity are placed there."""
    organizer_domain: str
    domains: tuple[str, ...]
    """Casbin domains of the organizations it counts for, the organizer's first."""
    member_visible: bool
    """The caller sees it as a member: their organization or an ancestor takes part, or
    they are expected."""

    def distance_m(self, latitude: float | None, longitude: float | None) -> float | None:
        """How far a point lies from the activity's place; None when either is unknown."""
        if latitude is None or longitude is None:
            return None
        if self.latitude is None or self.longitude is None:
            return None
        return distance_m(GeoPoint(latitude, longitude), GeoPoint(self.latitude, self.longitude))


async def activity_seen_by(
    uow: UnitOfWork, guard: Guard, caller: Caller, activity_id: uuid.UUID
) -> SeenActivity:
    """The activity if the caller may see it, as staff or member; `activity_not_found`
    (404) otherwise."""
    access = await load_access(uow, guard, caller, activity_id)
    activity = access.activity
    return SeenActivity(
        id=activity.id,
        tenant_id=activity.tenant_id,
        kind=activity.kind,
        status=activity.status,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        place=activity.place,
        latitude=activity.latitude,
        longitude=activity.longitude,
        organizer_id=activity.organization_id,
        organizer_domain=access.view.organizer.domain,
        domains=tuple(o.domain for o in access.view.organizations),
        member_visible=access.member_visible,
    )


async def activity_kinds(
    uow: UnitOfWork, tenant_id: uuid.UUID, activity_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Activities' kinds (三会一课 …) by id, in one read, for consumers of their events
    (points); an id the tenant does not hold is left out."""
    if not activity_ids:
        return {}
    found = await uow.session.execute(
        select(Activity.id, Activity.kind).where(
            col(Activity.tenant_id) == tenant_id, col(Activity.id).in_(list(activity_ids))
        )
    )
    return {row[0]: row[1] for row in found.all()}
