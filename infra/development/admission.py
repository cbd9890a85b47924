"""From the file to the member record (issue 17 item 5): approval of admission (step 17)
creates the probationary member through the members context's public module, approval of
转正 or of a revocation (step 24) concludes it; the applicant keeps pointing at the member,
so the whole file stays attached to the record."""

from __future__ import annotations

from datetime import date

from domain.development import MESSAGES, ApplicantStatus, Decision, Recorded, State
from domain.shared import Guard
from infra.db.session import UnitOfWork
from infra.development.tables import Applicant
from infra.members import Admitted, admit_member, conclude_probation
from infra.protection import FieldProtector


async def update_member_record(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    applicant: Applicant,
    new: Recorded,
    after: State,
    *,
    today: date,
) -> None:
    """Approval of admission makes the member record; approval of 转正 or revocation
    concludes it. The applicant keeps pointing at it, so the whole file stays attached."""
    if new.decision is not Decision.APPROVED:
        return
    if new.step == 17 and after.admitted_on is not None:
        applicant.member_id = await admit_member(
            uow,
            guard,
            protector,
            _person(applicant, protector),
            admitted_on=after.admitted_on,
            today=today,
        )
        uow.session.add(applicant)
    elif new.step == 24 and applicant.member_id is not None:
        if after.status is ApplicantStatus.FULL:
            reason = MESSAGES.message("development_reason_full").zh
        elif after.status is ApplicantStatus.REVOKED:
            reason = MESSAGES.message("development_reason_revoked").zh
        else:
            return  # an extension: the record stays probationary
        await conclude_probation(
            uow,
            guard,
            protector,
            applicant.member_id,
            full_member_on=after.full_member_on,
            reason=reason,
            today=today,
        )


def _person(applicant: Applicant, protector: FieldProtector) -> Admitted:
    return Admitted(
        organization_id=applicant.organization_id,
        name=applicant.name,
        id_number=protector.reveal_id_number(applicant.id_number_enc),
        gender=applicant.gender,
        birth_date=applicant.birth_date,
        phone=protector.reveal_phone(applicant.phone_enc) if applicant.phone_enc else None,
        ethnicity=applicant.ethnicity,
        education=applicant.education,
        work_unit=applicant.work_unit,
        post=applicant.post,
    )
