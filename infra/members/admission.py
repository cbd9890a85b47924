"""What the development pipeline asks of the member registry (发展党员 → 党员信息).

Approval of admission (step 17) creates the probationary member record, dated from the
支部大会 that admitted them (预备期和党费自此起算, 政治生日 its anniversary); approval of
the 转正 vote (step 24) makes it full from the end of probation, or removes it when the
probation is revoked. Both go through the registry's own use cases, so the record gets the
same checks, history, audit and events as one entered by hand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from domain.members import Education, Gender, MemberDraft, MemberStatus
from domain.shared import Guard
from infra.db.session import UnitOfWork
from infra.members.registry import change_status, create_member
from infra.protection import FieldProtector


@dataclass(frozen=True, slots=True)
class Admitted:
    """The person as the applicant's file knows them, in clear for validation only."""

    organization_id: uuid.UUID
    name: str
    id_number: str
    gender: str
    birth_date: date
    phone: str | None
    ethnicity: str | None
    education: str | None
    work_unit: str | None
    post: str | None


async def admit_member(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    person: Admitted,
    *,
    admitted_on: date,
    today: date,
) -> uuid.UUID:
    """The new probationary member's id (409 when the 身份证号 is registered already)."""
    draft = MemberDraft(
        name=person.name,
        id_number=person.id_number,
        status=MemberStatus.PROBATIONARY,
        admitted_on=admitted_on,
        organization_id=person.organization_id,
        gender=Gender(person.gender),
        birth_date=person.birth_date,
        ethnicity=person.ethnicity,
        phone=person.phone,
        education=Education(person.education) if person.education else None,
        work_unit=person.work_unit,
        post=person.post,
    )
    record = await create_member(uow, guard, protector, draft, today=today)
    return record.member.id


async def conclude_probation(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    member_id: uuid.UUID,
    *,
    full_member_on: date | None,
    reason: str,
    today: date,
) -> None:
    """转正 from `full_member_on`, or without it 取消预备党员资格 (the record kept, removed)."""
    await change_status(
        uow,
        guard,
        protector,
        member_id,
        status=MemberStatus.FULL if full_member_on else MemberStatus.REMOVED,
        reason=reason,
        full_member_on=full_member_on,
        today=today,
    )
