"""Loading a member or an organization under row-level security, with its Casbin domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from domain.shared import DomainError, FieldError, Message
from infra.db.session import UnitOfWork
from infra.members.records import check_member_organization
from infra.members.tables import Member
from infra.tenancy.service import (
    Guard,
    not_found,
    org_domain_of,
)
from infra.tenancy.tables import Organization


def field_error(field: str, code: str, zh: str, en: str, *, status: int = 422) -> DomainError:
    return DomainError(
        "validation_failed",
        Message("党员信息有1处错误，请修改后重新提交", "The member record has 1 error(s)"),
        status=status,
        errors=[FieldError(field, code, Message(zh, en))],
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
            "所选党组织不存在，或不在您的管理范围内",
            "The organization does not exist or is outside your scope",
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
