"""Recording and reading the standard forms of a file (入党志愿书, 政审结论, 培养考察记录).

The applicant row is locked by (tenant_id, id) so that the once-only forms are checked
against what is recorded; a partial unique index backs the check. Scans are attached
evidence of the tenant, checked through `infra.evidence`.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.development import (
    FORM_TYPES,
    MESSAGES,
    ApplicantStatus,
    Form,
    FormKind,
    check_form,
    kind_of,
)
from domain.shared import ErrorKind, Guard, new_id
from infra.db.session import UnitOfWork
from infra.development.applicants import ApplicantRecord, emit_applicant_event, load_applicant
from infra.development.tables import Applicant, ApplicantForm
from infra.evidence import attached_evidence

_CLOSED = frozenset({ApplicantStatus.NOT_ADMITTED.value, ApplicantStatus.REVOKED.value})


def form_of(row: ApplicantForm) -> Form:
    """The stored fields as the domain's form."""
    return msgspec.convert(row.fields, FORM_TYPES[FormKind(row.kind)])


async def forms_of(uow: UnitOfWork, applicant: Applicant) -> list[ApplicantForm]:
    """The forms of a file, oldest first (ids are time-ordered)."""
    stmt = (
        select(ApplicantForm)
        .where(
            ApplicantForm.tenant_id == applicant.tenant_id,  # type: ignore[arg-type]
            ApplicantForm.applicant_id == applicant.id,  # type: ignore[arg-type]
        )
        .order_by(ApplicantForm.id)  # type: ignore[arg-type]
    )
    return list((await uow.session.execute(stmt)).scalars())


async def record_form(
    uow: UnitOfWork,
    guard: Guard,
    applicant_id: uuid.UUID,
    form: Form,
    scans: tuple[uuid.UUID, ...],
    *,
    recorded_by: uuid.UUID,
    today: Any,
) -> tuple[ApplicantRecord, ApplicantForm]:
    """Record one form with its scans (applicant:write in the branch)."""
    record = await load_applicant(uow, applicant_id, lock=True)
    guard.require("applicant", "write", record.organization.domain)
    applicant = record.applicant
    existing = await forms_of(uow, applicant)
    check_form(
        form,
        current_step=applicant.current_step,
        closed=applicant.status in _CLOSED,
        recorded={FormKind(r.kind) for r in existing},
        today=today,
    )
    found = await attached_evidence(uow, applicant.tenant_id, scans)
    missing = [
        MESSAGES.field(f"scans[{i}]", "development_scan_not_found", code="not_found")
        for i, scan in enumerate(scans)
        if scan not in found
    ]
    if missing:
        raise MESSAGES.error("development_form_invalid", errors=missing, count=len(missing))
    kind = kind_of(form)
    row = ApplicantForm(
        tenant_id=applicant.tenant_id,
        id=new_id(),
        applicant_id=applicant.id,
        kind=kind.value,
        fields=msgspec.to_builtins(form),
        scans=list(scans),
        recorded_by=recorded_by,
    )
    uow.session.add(row)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise MESSAGES.error("development_form_exists", ErrorKind.CONFLICT, form=kind.zh) from exc
    uow.audit(
        "applicant.form_record",
        "applicant",
        applicant.id,
        tenant_id=applicant.tenant_id,
        detail={"form": kind.value, "form_id": str(row.id), "scans": len(scans)},
    )
    emit_applicant_event(
        uow, applicant, "applicant.form_recorded", {"form": kind.value, "form_id": str(row.id)}
    )
    return record, row
