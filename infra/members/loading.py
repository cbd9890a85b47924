"""Loading a member, an organization or a tenant under row-level security; organizations and
tenants come from tenancy's published read model, with the Casbin domain they carry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, FieldError, Guard, Message, not_found
from infra.db.session import UnitOfWork
from infra.members.records import check_member_organization
from infra.members.tables import Member
from infra.tenancy import OrganizationRef, TenantRef, organization_ref, tenant_ref


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


async def member_domain(uow: UnitOfWork, member: Member) -> tuple[OrganizationRef, str]:
    """The member's organization and its Casbin domain."""
    org = await organization_ref(uow, member.organization_id, tenant_id=member.tenant_id)
    if org is None:
        raise not_found("member")
    return org, org.domain


async def target_organization(
    uow: UnitOfWork, guard: Guard, org_id: uuid.UUID, act: str
) -> tuple[OrganizationRef, str]:
    """An organization a member may be placed in, with the caller's right to `act` there."""
    org = await organization_ref(uow, org_id)
    if org is None:
        raise field_error(
            "organization_id",
            "not_found",
            MESSAGES.message("members.organization_id_not_found"),
        )
    guard.require("member", act, org.domain)
    check_member_organization(org.kind)
    return org, org.domain


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member with the name of the organization it belongs to, as responses show it."""

    member: Member
    organization_name: str


async def get_org_or_404(uow: UnitOfWork, org_id: uuid.UUID) -> OrganizationRef:
    org = await organization_ref(uow, org_id)
    if org is None:
        raise not_found("organization")
    return org


async def get_tenant_or_404(uow: UnitOfWork, tenant_id: uuid.UUID) -> TenantRef:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    return tenant
