"""The platform-wide 身份证号 directory: who holds a number, and the duplicate error that
names the holder only to a caller who may see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from domain.members.messages import MESSAGES
from domain.members.probes import DUPLICATE_ELSEWHERE
from domain.shared import DomainError, ErrorKind, FieldError, Guard
from infra.db.session import UnitOfWork
from infra.members import probes
from infra.members.loading import member_domain
from infra.members.records import identity_row
from infra.members.tables import Member
from infra.tenancy import OrganizationRef


@dataclass(frozen=True, slots=True)
class IdentityOwner:
    """Where a 身份证号 is already registered (possibly outside the caller's subtree)."""

    tenant_id: uuid.UUID
    member_id: uuid.UUID


async def find_identity_owner(uow: UnitOfWork, id_number_bidx: bytes) -> IdentityOwner | None:
    """Who holds this 身份证号 blind index anywhere on the platform.

    Goes through the SECURITY DEFINER function `zhibu_member_identity_owner`, which
    answers across tenants with ids only; the caller decides what it may reveal.
    """
    row = (
        await uow.session.execute(
            text("SELECT tenant_id, member_id FROM zhibu_member_identity_owner(:b)"),
            {"b": id_number_bidx},
        )
    ).first()
    return IdentityOwner(row[0], row[1]) if row else None


async def duplicate_id_number_error(
    uow: UnitOfWork, guard: Guard, owner: IdentityOwner, id_number_bidx: bytes
) -> DomainError:
    """409 for a 身份证号 registered elsewhere; names the place only if the caller may see it.

    A holder outside the caller's subtree is a cross-tenant hit: counted against the
    caller's daily budget (429 beyond it) and audited in both tenants (`probes`).
    """
    other = (
        await uow.session.execute(
            select(Member).where(
                Member.tenant_id == owner.tenant_id,  # type: ignore[arg-type]
                Member.id == owner.member_id,  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if other is None:
        await probes.charge(uow, [(id_number_bidx, owner.tenant_id)], now=datetime.now(UTC))
    where: OrganizationRef | None = None
    if other is not None:
        org, domain = await member_domain(uow, other)
        if guard.can("member", "read", domain):
            where = org
    if where is not None:
        message = MESSAGES.message(
            "members.duplicate_id_number_seen",
            organization=where.name,
            name=other.name if other else "",
        )
    else:
        message = DUPLICATE_ELSEWHERE
    return DomainError(
        "member_duplicate_id_number",
        message,
        kind=ErrorKind.CONFLICT,
        errors=[FieldError("id_number", "duplicate", message)],
    )


async def refuse_registered(uow: UnitOfWork, guard: Guard, id_number_bidx: bytes) -> None:
    """409 when a 身份证号 is a member's anywhere on the platform (an applicant is a person
    not yet a member), with the registry's own duplicate error, probes and budget."""
    owner = await find_identity_owner(uow, id_number_bidx)
    if owner is not None:
        raise await duplicate_id_number_error(uow, guard, owner, id_number_bidx)


async def claim_identity(uow: UnitOfWork, guard: Guard, member: Member) -> None:
    owner = await find_identity_owner(uow, member.id_number_bidx)
    if owner is not None and owner.member_id != member.id:
        raise await duplicate_id_number_error(uow, guard, owner, member.id_number_bidx)
    try:
        async with uow.session.begin_nested():
            uow.session.add(identity_row(member))
            await uow.session.flush()
    except IntegrityError:
        owner = await find_identity_owner(uow, member.id_number_bidx)
        if owner is None:
            raise
        raise await duplicate_id_number_error(uow, guard, owner, member.id_number_bidx) from None
