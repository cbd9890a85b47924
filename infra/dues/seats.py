"""Where a member sits, as the dues rules ask it: the Casbin domain of their organization
(who declares a base, proposes a relief) and of the next level up (who approves a relief).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.dues import MESSAGES
from domain.shared import not_found
from domain.tenancy import org_domain, tenant_domain
from infra.db.session import UnitOfWork
from infra.members import find_member_place
from infra.tenancy import organization_ref

PAYING = frozenset({"probationary", "full"})


@dataclass(frozen=True, slots=True)
class Seat:
    member_id: uuid.UUID
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    status: str
    domain: str
    """The member's organization's subtree: the branch's own staff act here."""
    next_level: str
    """The organization above the member's branch (or the tenant): it approves reliefs."""

    def require_paying(self) -> None:
        if self.status not in PAYING:
            raise MESSAGES.error("dues_member_inactive")


def _parent(path: str) -> str | None:
    head, dot, _ = path.rpartition(".")
    return head if dot else None


async def seat_of(uow: UnitOfWork, member_id: uuid.UUID) -> Seat:
    place = await find_member_place(uow, member_id)
    org = (
        await organization_ref(uow, place.organization_id, tenant_id=place.tenant_id)
        if place
        else None
    )
    if place is None or org is None:
        raise not_found("member")
    # A 党小组 is part of its branch: the branch is what proposes, its parent approves.
    branch_path = (_parent(org.path) or org.path) if org.kind == "party_group" else org.path
    above = _parent(branch_path)
    return Seat(
        member_id=place.id,
        tenant_id=place.tenant_id,
        organization_id=place.organization_id,
        status=place.status,
        domain=org.domain,
        next_level=org_domain(org.tenant_path, above) if above else tenant_domain(org.tenant_path),
    )
