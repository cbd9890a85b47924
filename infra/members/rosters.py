"""Members as other contexts need them: who a user is in the registry, who belongs to an
organization subtree, and names for lists (in 拼音 order).

Published through `infra.members` so that no other context reads `member` itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text

from infra.db.session import UnitOfWork

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


_SELECT = (
    "SELECT m.id, m.tenant_id, m.organization_id, o.path::text, m.status"
    " FROM member m JOIN organization o"
    "   ON o.tenant_id = m.tenant_id AND o.id = m.organization_id"
)


async def member_of_user(
    uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> MemberPlace | None:
    """The active member record linked to an account, if any."""
    row = (
        await uow.session.execute(
            text(
                _SELECT + " WHERE m.tenant_id = :t AND m.user_id = :u"
                "   AND m.status IN ('probationary', 'full')"
            ),
            {"t": tenant_id, "u": user_id},
        )
    ).first()
    return MemberPlace(*row) if row else None


async def member_place(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> MemberPlace | None:
    """One member of a tenant, whatever their status."""
    row = (
        await uow.session.execute(
            text(_SELECT + " WHERE m.tenant_id = :t AND m.id = :m"),
            {"t": tenant_id, "m": member_id},
        )
    ).first()
    return MemberPlace(*row) if row else None


async def active_members_under(
    uow: UnitOfWork, tenant_id: uuid.UUID, paths: Sequence[str]
) -> list[MemberPlace]:
    """Active members in the subtrees of the organizations at `paths`, in 拼音 order."""
    if not paths:
        return []
    rows = (
        await uow.session.execute(
            text(
                _SELECT + " WHERE m.tenant_id = :t AND m.status IN ('probationary', 'full')"
                "   AND o.path <@ CAST(:paths AS ltree[])"
                " ORDER BY m.name_pinyin, m.id"
            ),
            {"t": tenant_id, "paths": list(paths)},
        )
    ).all()
    return [MemberPlace(*r) for r in rows]


async def member_names(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    """(id, name) of those members, in 拼音 order."""
    if not member_ids:
        return []
    rows = (
        await uow.session.execute(
            text(
                "SELECT id, name FROM member WHERE tenant_id = :t AND id = ANY(:ids)"
                " ORDER BY name_pinyin, id"
            ),
            {"t": tenant_id, "ids": list(member_ids)},
        )
    ).all()
    return [(r[0], r[1]) for r in rows]
