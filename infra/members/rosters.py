"""Members as other contexts need them: who a user is in the registry, who belongs to an
organization subtree, and names for lists (in 拼音 order).

Published through `infra.members` so that no other context reads `member` itself; where
the organization tree matters, the tenancy context's own queries say where each sits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, Subquery, select, tuple_
from sqlmodel import col

from infra.db.session import UnitOfWork
from infra.members.tables import Member
from infra.tenancy import organization_ids_under, organization_path

ACTIVE_STATUSES = ("probationary", "full")


@dataclass(frozen=True, slots=True)
class MemberPlace:
    """A member and where they sit in the organization tree."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    organization_path: str
    status: str

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def _places() -> Select[Any]:
    return select(
        Member.id,
        Member.tenant_id,
        Member.organization_id,
        organization_path(col(Member.tenant_id), col(Member.organization_id)),
        Member.status,
    )


ACTIVE_MEMBERS: Subquery = (
    select(Member.tenant_id, Member.id, Member.organization_id, Member.birth_date)
    .where(col(Member.status).in_(ACTIVE_STATUSES))
    .subquery("active_member_directory")
)
"""(tenant_id, id, organization_id, birth_date) of each active (probationary or full)
member, for joining in another context's statement (a star run rates them all in one, but
for those the point rules exclude by age); PostgreSQL flattens it, so the plan is that of
a join on the table."""


@dataclass(frozen=True, slots=True)
class MemberStanding:
    """What a dues bill run needs of a member: where they are, their status, admission."""

    id: uuid.UUID
    organization_id: uuid.UUID
    status: str
    admitted_on: date


async def active_members_page(
    uow: UnitOfWork, tenant_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
) -> list[MemberStanding]:
    """A tenant's active members in id order, `limit` at a time after `after` (keyset).
    Selected from the table, not the model: pages of thousands skip the ORM's row loading."""
    m = Member.__table__.c  # type: ignore[attr-defined]
    query = (
        select(m.id, m.organization_id, m.status, m.admitted_on)
        .where(m.tenant_id == tenant_id, m.status.in_(ACTIVE_STATUSES))
        .order_by(m.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(m.id > after)
    return [MemberStanding(*r) for r in (await uow.session.execute(query)).all()]


async def member_standing(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> MemberStanding | None:
    """One member's standing (a member paying dues ahead is billed on demand), any status."""
    query = select(Member.id, Member.organization_id, Member.status, Member.admitted_on).where(
        col(Member.tenant_id) == tenant_id, col(Member.id) == member_id
    )
    row = (await uow.session.execute(query)).first()
    return MemberStanding(*row) if row else None


async def member_of_user(
    uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> MemberPlace | None:
    """The active member record linked to an account, if any."""
    query = _places().where(
        col(Member.tenant_id) == tenant_id,
        col(Member.user_id) == user_id,
        col(Member.status).in_(ACTIVE_STATUSES),
    )
    row = (await uow.session.execute(query)).first()
    return MemberPlace(*row) if row else None


async def member_place(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> MemberPlace | None:
    """One member of a tenant, whatever their status."""
    query = _places().where(col(Member.tenant_id) == tenant_id, col(Member.id) == member_id)
    row = (await uow.session.execute(query)).first()
    return MemberPlace(*row) if row else None


async def active_members_under(
    uow: UnitOfWork, tenant_id: uuid.UUID, paths: Sequence[str]
) -> list[MemberPlace]:
    """Active members in the subtrees of the organizations at `paths`, in 拼音 order."""
    if not paths:
        return []
    query = (
        _places()
        .where(
            col(Member.tenant_id) == tenant_id,
            col(Member.status).in_(ACTIVE_STATUSES),
            tuple_(col(Member.tenant_id), col(Member.organization_id)).in_(
                organization_ids_under(tenant_id, *paths)
            ),
        )
        .order_by(col(Member.name_pinyin), col(Member.id))
    )
    return [MemberPlace(*r) for r in (await uow.session.execute(query)).all()]


async def member_names(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    """(id, name) of those members, in 拼音 order."""
    if not member_ids:
        return []
    query = (
        select(Member.id, Member.name)
        .where(col(Member.tenant_id) == tenant_id, col(Member.id).in_(list(member_ids)))
        .order_by(col(Member.name_pinyin), col(Member.id))
    )
    return [(r[0], r[1]) for r in (await uow.session.execute(query)).all()]


async def find_member_place(uow: UnitOfWork, member_id: uuid.UUID) -> MemberPlace | None:
    """A member the caller's scope holds, by id alone (the tenant unknown to the caller)."""
    row = (await uow.session.execute(_places().where(col(Member.id) == member_id))).first()
    return MemberPlace(*row) if row else None


@dataclass(frozen=True, slots=True)
class MemberSeat:
    """Where a member sits and when they were born (from the 身份证号): what a consumer of
    many members' events needs of each (points accrual, for rules that go by age)."""

    organization_id: uuid.UUID
    birth_date: date | None


async def member_seats(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, MemberSeat]:
    """The tenant's members among `member_ids`, whatever their status, in one read."""
    if not member_ids:
        return {}
    query = select(Member.id, Member.organization_id, Member.birth_date).where(
        col(Member.tenant_id) == tenant_id, col(Member.id).in_(list(member_ids))
    )
    return {r[0]: MemberSeat(r[1], r[2]) for r in (await uow.session.execute(query)).all()}
