"""Applicant use cases (入党申请人): register, read (masked or revealed), list.

Personal data is held to the member record's rules and protection: the 身份证号 and phone
are checked by the members context's public validation, sealed by the one FieldProtector
(ciphertext, blind index, masked copy), shown masked unless the caller holds
`applicant:read_sensitive`, and every full read is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.development import (
    MESSAGES,
    ApplicantDraft,
    name_errors,
    optional_text,
    organization_errors,
)
from domain.members import Education, normalize_mobile, parse_id_number
from domain.shared import DomainError, FieldError, Guard, conflict, new_id, not_found
from domain.tenancy import OrgKind
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.development.tables import Applicant
from infra.members import refuse_registered
from infra.platform.outbox import emit
from infra.protection import FieldProtector
from infra.tenancy import OrganizationRef, organization_ref


@dataclass(frozen=True, slots=True)
class ApplicantRecord:
    """An applicant with their branch, as responses show it."""

    applicant: Applicant
    organization: OrganizationRef


@dataclass(frozen=True, slots=True)
class Revealed:
    id_number: str
    phone: str | None


def _invalid(errors: list[FieldError]) -> DomainError:
    return MESSAGES.error("development_applicant_invalid", errors=errors, count=len(errors))


async def branch_of(uow: UnitOfWork, guard: Guard, organization_id: uuid.UUID) -> OrganizationRef:
    """The branch an applicant is registered in, where the caller may write applicants."""
    org = await organization_ref(uow, organization_id)
    if org is None:
        raise _invalid(
            [
                MESSAGES.field(
                    "organization_id", "development_organization_not_found", code="not_found"
                )
            ]
        )
    guard.require("applicant", "write", org.domain)
    return org


def personal_values(
    draft: ApplicantDraft, org: OrganizationRef, protector: FieldProtector, *, today: Any
) -> dict[str, Any]:
    """The applicant row's personal columns, every fault reported at once."""
    errors = name_errors(draft.name) + organization_errors(org.kind, OrgKind(org.kind).zh)
    facts = phone = None
    try:
        facts = parse_id_number(draft.id_number, today=today)
    except DomainError as error:
        errors += error.errors
    raw_phone = optional_text(draft.phone)
    if raw_phone is not None:
        try:
            phone = normalize_mobile(raw_phone)
        except DomainError as error:
            errors += error.errors
    if errors or facts is None:
        raise _invalid(errors)
    id_number = protector.id_number(facts.number)
    sealed_phone = protector.phone(phone) if phone else None
    education = Education(draft.education) if draft.education else None
    return {
        "name": draft.name.strip(),
        "gender": facts.gender.value,
        "birth_date": facts.birth_date,
        "ethnicity": optional_text(draft.ethnicity),
        "education": education.value if education else None,
        "work_unit": optional_text(draft.work_unit),
        "post": optional_text(draft.post),
        "id_number_enc": id_number.ciphertext,
        "id_number_bidx": id_number.blind_index,
        "id_number_masked": id_number.masked,
        "phone_enc": sealed_phone.ciphertext if sealed_phone else None,
        "phone_bidx": sealed_phone.blind_index if sealed_phone else None,
        "phone_masked": sealed_phone.masked if sealed_phone else None,
    }


async def create_applicant(
    uow: UnitOfWork, guard: Guard, protector: FieldProtector, draft: ApplicantDraft, *, today: Any
) -> ApplicantRecord:
    """Register a person who applies to a branch (the application itself is step 1); a
    member, here or in another tenant, is refused as the member registry refuses them."""
    org = await branch_of(uow, guard, draft.organization_id)
    values = personal_values(draft, org, protector, today=today)
    await refuse_registered(uow, guard, values["id_number_bidx"])
    applicant = Applicant(tenant_id=org.tenant_id, id=new_id(), organization_id=org.id, **values)
    try:
        async with uow.session.begin_nested():
            uow.session.add(applicant)
            await uow.session.flush()
    except IntegrityError:
        raise conflict(MESSAGES, "development_duplicate_applicant", "id_number") from None
    uow.audit(
        "applicant.create",
        "applicant",
        applicant.id,
        tenant_id=applicant.tenant_id,
        detail={"organization_id": str(org.id), "name": applicant.name},
    )
    emit_applicant_event(uow, applicant, "applicant.created", {})
    return ApplicantRecord(applicant, org)


def emit_applicant_event(
    uow: UnitOfWork, applicant: Applicant, topic: str, payload: dict[str, Any]
) -> None:
    """The outbox event of a change to an applicant's file (the shape integrations read)."""
    emit(
        uow,
        tenant_id=applicant.tenant_id,
        topic=topic,
        aggregate_type="applicant",
        aggregate_id=applicant.id,
        payload={
            "applicant_id": str(applicant.id),
            "organization_id": str(applicant.organization_id),
            "status": applicant.status,
            "stage": applicant.stage,
            "current_step": applicant.current_step,
            **payload,
        },
        organization_id=applicant.organization_id,
    )


async def load_applicant(
    uow: UnitOfWork, applicant_id: uuid.UUID, *, lock: bool = False
) -> ApplicantRecord:
    """An applicant visible under row-level security, with their branch, or 404. With
    `lock`, the row is locked by (tenant_id, id) once its tenant is known."""
    found = (
        await uow.session.execute(select(Applicant).where(Applicant.id == applicant_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if found is None:
        raise not_found("applicant")
    if lock:
        found = await locked(uow.session, found)
    org = await organization_ref(uow, found.organization_id, tenant_id=found.tenant_id)
    if org is None:
        raise not_found("applicant")
    return ApplicantRecord(found, org)


async def read_applicant(uow: UnitOfWork, guard: Guard, applicant_id: uuid.UUID) -> ApplicantRecord:
    """An applicant, masked; needs applicant:read in their branch."""
    record = await load_applicant(uow, applicant_id)
    guard.require("applicant", "read", record.organization.domain)
    return record


async def reveal_applicant(
    uow: UnitOfWork, guard: Guard, protector: FieldProtector, applicant_id: uuid.UUID
) -> tuple[ApplicantRecord, Revealed]:
    """The 身份证号 and phone in full (applicant:read_sensitive); every such read audited."""
    record = await read_applicant(uow, guard, applicant_id)
    guard.require("applicant", "read_sensitive", record.organization.domain)
    row = record.applicant
    revealed = Revealed(
        protector.reveal_id_number(row.id_number_enc),
        protector.reveal_phone(row.phone_enc) if row.phone_enc else None,
    )
    uow.audit(
        "applicant.read_sensitive",
        "applicant",
        row.id,
        tenant_id=row.tenant_id,
        detail={"fields": ["id_number", "phone"] if row.phone_enc else ["id_number"]},
    )
    return record, revealed
