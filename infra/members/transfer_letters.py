"""What a transfer letter (组织关系介绍信) says of a member, read once when the transfer
starts so the letter stays what it was when issued, and the record a transfer out of the
platform leaves. Published for the transfers context, which moves a member within the
platform through `zhibu_member_move` (called by its own answer function)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import col

from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.members.records import emit_member_event, record_history
from infra.members.tables import Member


@dataclass(frozen=True, slots=True)
class LetterFacts:
    id: uuid.UUID
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    user_id: uuid.UUID | None
    status: str
    admitted_on: date
    name: str
    gender: str
    birth_date: date
    ethnicity: str | None
    id_number_enc: bytes
    id_number_masked: str
    phone_enc: bytes | None
    phone_masked: str | None


async def letter_facts(uow: UnitOfWork, member_id: uuid.UUID) -> LetterFacts | None:
    """The member the caller's scope holds, by id alone."""
    row = (
        await uow.session.execute(
            select(
                Member.id,
                Member.tenant_id,
                Member.organization_id,
                Member.user_id,
                Member.status,
                Member.admitted_on,
                Member.name,
                Member.gender,
                Member.birth_date,
                Member.ethnicity,
                Member.id_number_enc,
                Member.id_number_masked,
                Member.phone_enc,
                Member.phone_masked,
            ).where(col(Member.id) == member_id)
        )
    ).first()
    return LetterFacts(*row) if row else None


async def record_transfer_out(
    uow: UnitOfWork, member_id: uuid.UUID, *, transfer_id: uuid.UUID, now: datetime
) -> None:
    """A member whose membership left the platform on a paper letter (its receipt recorded
    by the sending side): the record stays, as history, `transferred_out`."""
    member = (
        await uow.session.execute(select(Member).where(col(Member.id) == member_id))
    ).scalar_one()
    member = await locked(uow.session, member)
    before = member.status
    member.status = "transferred_out"
    member.status_reason = "组织关系已转出平台"
    member.updated_at = now
    member.version += 1
    uow.session.add(member)
    record_history(
        uow,
        member,
        "transfer_out",
        {
            "status": {"old": before, "new": member.status},
            "transfer_id": {"old": None, "new": str(transfer_id)},
        },
        at=now,
    )
    emit_member_event(uow, member, "member.status_changed", ["status"])
