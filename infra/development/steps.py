"""Recording a step of an applicant's file (发展程序登记), and reading the file.

One use case, one unit of work: the applicant row is locked by (tenant_id, id), the file
replayed, the references resolved through their owning contexts (evidence through
`infra.evidence`, the meeting through `infra.activities`, mentors and sponsors through
`infra.members`), the step checked by `domain.development.check_step`, and the record,
the applicant's new position, the audit event and the outbox events written together.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from domain.development import (
    MESSAGES,
    Body,
    Decision,
    Document,
    Notice,
    OrgNode,
    Recorded,
    Step,
    StepDraft,
    VoteCount,
    approving_organization,
    check_forms_for_step,
    check_step,
    next_dates,
    replay,
    step_named,
)
from domain.shared import DomainError, FieldError, Guard, new_id, not_found
from domain.shared.times import DISPLAY_ZONE
from infra.activities import Caller, activity_seen_by
from infra.authz import tenant_domain
from infra.db.session import UnitOfWork
from infra.development.admission import update_member_record
from infra.development.applicants import ApplicantRecord, emit_applicant_event, load_applicant
from infra.development.calendar import is_working_day
from infra.development.forms import form_of, forms_of
from infra.development.rules import time_rules_of
from infra.development.tables import Applicant, ApplicantStep
from infra.evidence import attached_evidence
from infra.members import member_place
from infra.protection import FieldProtector
from infra.tenancy import organization_ids_above, organization_refs


@dataclass(frozen=True, slots=True)
class DocumentRef:
    kind: Document
    evidence_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class StepEntry:
    """A step as the caller entered it, with references by id."""

    occurred_on: date
    decision: Decision | None = None
    documents: tuple[DocumentRef, ...] = ()
    meeting_id: uuid.UUID | None = None
    vote: VoteCount | None = None
    mentors: tuple[uuid.UUID, ...] = ()
    sponsors: tuple[uuid.UUID, ...] = ()
    notice: Notice | None = None
    training_days: int | None = None
    training_hours: int | None = None
    leaving_unit_soon: bool = False
    special_circumstances: bool = False
    extension_months: int | None = None
    opinion: str | None = None


def _invalid(errors: list[FieldError]) -> DomainError:
    return MESSAGES.error("development_step_invalid", errors=errors, count=len(errors))


async def approver_of(uow: UnitOfWork, record: ApplicantRecord) -> OrgNode:
    """The 基层党委 that approves for the applicant's branch, from the organization tree."""
    branch = record.organization
    ids = (await uow.session.execute(organization_ids_above(branch.tenant_id, branch.path))).all()
    refs = await organization_refs(uow, [i for _, i in ids if i != branch.id])
    nearest_first = sorted(refs.values(), key=lambda r: r.path.count("."), reverse=True)
    return approving_organization(
        [OrgNode(r.id, r.kind, r.name, r.domain, r.approval_authority) for r in nearest_first]
    )


async def authorize(uow: UnitOfWork, guard: Guard, record: ApplicantRecord, step: Step) -> None:
    """Who may act: the branch's bodies record in the branch, the 基层党委's in the approving
    committee, the 组织部's in the tenant."""
    if step.body is Body.ORGANIZATION_DEPARTMENT:
        guard.require("applicant", "approve", tenant_domain(record.organization.tenant_path))
    elif step.body.approving:
        guard.require("applicant", "approve", (await approver_of(uow, record)).domain)
    else:
        guard.require("applicant", "record", record.organization.domain)


async def _draft(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    record: ApplicantRecord,
    step: Step,
    entry: StepEntry,
) -> StepDraft:
    tenant_id, errors = record.applicant.tenant_id, list[FieldError]()
    found = await attached_evidence(uow, tenant_id, [d.evidence_id for d in entry.documents])
    errors += [
        MESSAGES.field(
            f"documents[{i}].evidence_id", "development_document_not_found", code="not_found"
        )
        for i, d in enumerate(entry.documents)
        if d.evidence_id not in found
    ]
    meeting = meeting_on = None
    if entry.meeting_id is not None:
        activity = await activity_seen_by(uow, guard, caller, entry.meeting_id)
        if activity.organizer_domain != record.organization.domain:
            errors.append(
                MESSAGES.field("meeting_id", "development_meeting_elsewhere", code="elsewhere")
            )
        meeting, meeting_on = activity.kind, activity.starts_at.astimezone(DISPLAY_ZONE).date()
    if errors:
        raise _invalid(errors)
    return StepDraft(
        step=step,
        occurred_on=entry.occurred_on,
        decision=entry.decision,
        documents=frozenset(d.kind for d in entry.documents),
        meeting=meeting,
        meeting_on=meeting_on,
        vote=entry.vote,
        mentor_statuses=await _statuses(uow, tenant_id, entry.mentors),
        sponsor_statuses=await _statuses(uow, tenant_id, entry.sponsors),
        notice=entry.notice,
        training_days=entry.training_days,
        training_hours=entry.training_hours,
        leaving_unit_soon=entry.leaving_unit_soon,
        special_circumstances=entry.special_circumstances,
        extension_months=entry.extension_months,
    )


async def _statuses(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_ids: tuple[uuid.UUID, ...]
) -> tuple[str | None, ...]:
    """The member status of each person named (None: no such member in the tenant)."""
    places = [await member_place(uow, tenant_id, m) for m in member_ids]
    return tuple(p.status if p else None for p in places)


async def file_of(
    uow: UnitOfWork,
    applicant: Applicant,
    *,
    after: uuid.UUID | None = None,
    limit: int | None = None,
) -> list[ApplicantStep]:
    """The recorded steps of an applicant in the order they were recorded (ids are
    time-ordered); a page of `limit` + 1 rows after `after` when asked."""
    stmt = select(ApplicantStep).where(
        ApplicantStep.tenant_id == applicant.tenant_id,  # type: ignore[arg-type]
        ApplicantStep.applicant_id == applicant.id,  # type: ignore[arg-type]
    )
    if after is not None:
        stmt = stmt.where(ApplicantStep.id > after)  # type: ignore[arg-type]
    stmt = stmt.order_by(ApplicantStep.id)  # type: ignore[arg-type]
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    return list((await uow.session.execute(stmt)).scalars())


def recorded(row: ApplicantStep) -> Recorded:
    return Recorded(
        step=row.step,
        occurred_on=row.occurred_on,
        decision=Decision(row.decision),
        notice_ends_on=row.notice_ends_on,
        extension_months=row.detail.get("extension_months"),
    )


async def record_step(
    uow: UnitOfWork,
    guard: Guard,
    protector: FieldProtector,
    caller: Caller,
    applicant_id: uuid.UUID,
    step_key: str,
    entry: StepEntry,
    *,
    today: date,
) -> tuple[ApplicantRecord, ApplicantStep]:
    """Record one step, or refuse it naming the rule (and when it becomes possible)."""
    step = step_named(step_key)
    if step is None:
        raise not_found("step")
    record = await load_applicant(uow, applicant_id, lock=True)
    await authorize(uow, guard, record, step)
    applicant = record.applicant
    rows = await file_of(uow, applicant)
    draft = await _draft(uow, guard, caller, record, step, entry)
    before = replay([recorded(r) for r in rows])
    rules = await time_rules_of(uow, applicant.tenant_id)
    new = check_step(
        tuple(recorded(r) for r in rows),
        draft,
        birth_date=applicant.birth_date,
        rules=rules,
        today=today,
        is_working_day=is_working_day,
    )
    if new.decision in (Decision.DONE, Decision.APPROVED):
        check_forms_for_step(step.number, [form_of(f) for f in await forms_of(uow, applicant)])
    row = _row(applicant, new, entry, recorded_by=caller.user_id)
    uow.session.add(row)
    after = replay([*(recorded(r) for r in rows), new])
    now = datetime.now(UTC)
    applicant.current_step = after.position
    applicant.stage = int(after.stage)
    applicant.status = after.status.value
    applicant.applied_on = after.last_on.get(1)
    applicant.admitted_on = after.admitted_on
    applicant.probation_ends_on = after.probation_ends_on
    applicant.full_member_on = after.full_member_on
    dates = next_dates(after, rules)
    applicant.possible_from = dates.possible_from
    applicant.due_by = dates.due_by
    applicant.notice_ends_on = dates.notice_ends_on
    applicant.version += 1
    applicant.updated_at = now
    uow.session.add(applicant)
    await uow.session.flush()
    await update_member_record(uow, guard, protector, applicant, new, after, today=today)
    uow.audit(
        "applicant.step_record",
        "applicant",
        applicant.id,
        tenant_id=applicant.tenant_id,
        detail={"step": step.number, "decision": new.decision.value, "step_id": str(row.id)},
    )
    emit_applicant_event(
        uow,
        applicant,
        "applicant.step_recorded",
        {
            "step": step.number,
            "step_code": step.code,
            "decision": new.decision.value,
            "occurred_on": new.occurred_on.isoformat(),
        },
    )
    if (before.stage, before.status) != (after.stage, after.status):
        emit_applicant_event(
            uow,
            applicant,
            "applicant.stage_changed",
            {"previous_stage": int(before.stage), "previous_status": before.status.value},
        )
    return record, row


def _row(
    applicant: Applicant, new: Recorded, entry: StepEntry, *, recorded_by: uuid.UUID
) -> ApplicantStep:
    vote: dict[str, Any] | None = None
    if entry.vote is not None:
        vote = {**asdict(entry.vote), "quorate": entry.vote.quorate, "passed": entry.vote.passed}
    detail = {
        "training_days": entry.training_days,
        "training_hours": entry.training_hours,
        "leaving_unit_soon": entry.leaving_unit_soon or None,
        "special_circumstances": entry.special_circumstances or None,
        "extension_months": new.extension_months,
    }
    return ApplicantStep(
        tenant_id=applicant.tenant_id,
        id=new_id(),
        applicant_id=applicant.id,
        step=new.step,
        occurred_on=new.occurred_on,
        decision=new.decision.value,
        documents=[
            {"kind": d.kind.value, "evidence_id": str(d.evidence_id)} for d in entry.documents
        ],
        meeting_id=entry.meeting_id,
        vote=vote,
        mentors=list(entry.mentors),
        sponsors=list(entry.sponsors),
        notice_starts_on=entry.notice.starts_on if entry.notice else None,
        notice_ends_on=entry.notice.ends_on if entry.notice else None,
        detail={k: v for k, v in detail.items() if v is not None},
        opinion=entry.opinion.strip() if entry.opinion and entry.opinion.strip() else None,
        recorded_by=recorded_by,
    )
