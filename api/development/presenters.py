"""Applicant rows → response bodies: masked by default, in full only when revealed."""

from __future__ import annotations

import uuid
from datetime import date

from api.development import schemas as s
from domain.development import STEP_BY_NUMBER, ApplicantStatus, Stage, next_steps
from infra.development import ApplicantRecord, ApplicantStep, Revealed


def applicant_out(
    record: ApplicantRecord, revealed: Revealed | None = None, *, today: date
) -> s.ApplicantOut:
    a = record.applicant
    return s.ApplicantOut(
        id=a.id,
        tenant_id=a.tenant_id,
        organization_id=a.organization_id,
        organization_name=record.organization.name,
        name=a.name,
        gender=a.gender,
        birth_date=a.birth_date,
        ethnicity=a.ethnicity,
        education=a.education,
        work_unit=a.work_unit,
        post=a.post,
        id_number=revealed.id_number if revealed else a.id_number_masked,
        phone=revealed.phone if revealed else a.phone_masked,
        sensitive_revealed=revealed is not None,
        status=a.status,  # type: ignore[arg-type]
        stage=a.stage,
        stage_name=Stage(a.stage).zh,
        current_step=a.current_step,
        next_steps=list(next_steps(a.current_step, ApplicantStatus(a.status))),
        applied_on=a.applied_on,
        admitted_on=a.admitted_on,
        probation_ends_on=a.probation_ends_on,
        full_member_on=a.full_member_on,
        possible_from=a.possible_from,
        due_by=a.due_by,
        overdue=a.due_by is not None and a.due_by < today,
        notice_ends_on=a.notice_ends_on,
        member_id=a.member_id,
        created_at=a.created_at,
        updated_at=a.updated_at,
        version=a.version,
    )


def step_out(row: ApplicantStep) -> s.StepOut:
    step = STEP_BY_NUMBER[row.step]
    vote = row.vote
    return s.StepOut(
        id=row.id,
        applicant_id=row.applicant_id,
        step=row.step,
        step_code=step.code,
        step_name=step.zh,
        stage=int(step.stage),
        body=step.body.value,
        occurred_on=row.occurred_on,
        decision=row.decision,  # type: ignore[arg-type]
        documents=[s.DocumentOut(d["kind"], uuid.UUID(d["evidence_id"])) for d in row.documents],
        meeting_id=row.meeting_id,
        vote=s.VoteOut(**vote) if vote else None,
        mentors=list(row.mentors),
        sponsors=list(row.sponsors),
        notice_starts_on=row.notice_starts_on,
        notice_ends_on=row.notice_ends_on,
        detail=dict(row.detail),
        opinion=row.opinion,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )
