"""Revealing a member's 身份证号 and phone in full (member:read_sensitive), audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.shared import Guard
from infra.db.session import UnitOfWork
from infra.members.loading import MemberRecord, get_member, member_domain
from infra.protection import FieldProtector


@dataclass(frozen=True, slots=True)
class Revealed:
    """The 身份证号 and phone in full, for a caller holding member:read_sensitive."""

    id_number: str
    phone: str | None


async def reveal_member(
    uow: UnitOfWork, guard: Guard, protector: FieldProtector, member_id: uuid.UUID
) -> tuple[MemberRecord, Revealed]:
    """Decrypt the sensitive fields; every such read is written to the audit log."""
    member = await get_member(uow, member_id)
    org, domain = await member_domain(uow, member)
    guard.require("member", "read", domain)
    guard.require("member", "read_sensitive", domain)
    revealed = Revealed(
        id_number=protector.reveal_id_number(member.id_number_enc),
        phone=protector.reveal_phone(member.phone_enc) if member.phone_enc else None,
    )
    uow.audit(
        "member.read_sensitive",
        "member",
        member.id,
        tenant_id=member.tenant_id,
        detail={"fields": ["id_number", "phone"] if member.phone_enc else ["id_number"]},
    )
    return MemberRecord(member, org.name), revealed
