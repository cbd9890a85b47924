"""Loading a member or an organization under row-level security, with its Casbin domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, FieldError, Guard, Message, not_found
from infra.db.session import UnitOfWork
from infra.members.records import check_member_organization
from infra.members.tables import Member
from infra.tenancy import org_domain_of
from infra.tenancy.tables import Organization


def field_error(field: str, code: str, message: Message) -> DomainError:
    return DomainError(
        "validation_failed",
        MESSAGES.message("members.record_invalid", count=1),
        kind=ErrorKind.INVALID,
        errors=[FieldError(field, code, message)],
    )


async def get_member(uow: UnitOfWork, member_id: uuid.UUID) -> Member:
    """A member visible under row-level security, or 404."""
    member = (
        await uow.session.execute(select(Member).where(Member.id == member_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if member is None:
        raise not_found("member")
    return member


async def member_domain(uow: UnitOfWork, member: Member) -> tuple[Organization, str]:
    """The member's organization and its Casbin domain."""
    org = await uow.session.get(Organization, (member.tenant_id, member.organization_id))
    if org is None:
        raise not_found("member")
    return org, await org_domain_of(uow, org)


async def target_organization(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, act: str
) -> tuple[Organization, str]:
    """An organization a member may be placed in, with the caller's right to `act` there."""
    org = (
        await uow.session.execute(select(Organization).where(Organization.id == org_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if org is None:
        raise field_error(
            "organization_id",
            "not_found",
            MESSAGES.message("members.organization_id_not_found"),
        )
    domain = await org_domain_of(uow, org)
    guard.require("member", act, domain)
    check_member_organization(org)
    return org, domain


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member with the organization it belongs to (for names and domains)."""

    member: Member
    organization: Organization


async def get_org_or_404(uow: UnitOfWork, org_id: uuid.UUID) -> Organization:
    org = (
        await uow.session.execute(select(Organization).where(Organization.id == org_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if org is None:
        raise not_found("organization")
    return org
