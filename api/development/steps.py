"""Steps of an applicant's file (发展程序): record one, read the file. Thin: parse, call,
present."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Response, get, post
from litestar.openapi.spec import Example
from litestar.params import Body, Parameter

from api.context import Ctx
from api.deps import Protector
from api.development import presenters as present
from api.development import schemas as s
from api.openapi_common import READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.times import ApiResponse
from domain.development import Decision, Document, Notice, VoteCount
from infra.activities import Caller
from infra.development import (
    DocumentRef,
    StepEntry,
    file_of,
    read_applicant,
    record_step,
)
from infra.members import today

TAGS = ["Development"]

StepKey = Annotated[
    str,
    Parameter(
        max_length=40,
        pattern=r"^([1-9]|1[0-9]|2[0-5]|[a-z_]+)$",
        description="步骤序号（1–25）或代码（如 `admission_vote`）",
        examples=[Example(value="2"), Example(value="admission_vote")],
    ),
]


def _entry(data: s.StepIn) -> StepEntry:
    vote = data.vote
    return StepEntry(
        occurred_on=data.occurred_on,
        decision=Decision(data.decision) if data.decision else None,
        documents=tuple(DocumentRef(Document(d.kind), d.evidence_id) for d in data.documents),
        meeting_id=data.meeting_id,
        vote=VoteCount(vote.entitled, vote.present, vote.yes, vote.no, vote.abstain)
        if vote
        else None,
        mentors=tuple(data.mentors),
        sponsors=tuple(data.sponsors),
        notice=Notice(data.notice.starts_on, data.notice.ends_on) if data.notice else None,
        training_days=data.training_days,
        training_hours=data.training_hours,
        leaving_unit_soon=data.leaving_unit_soon,
        special_circumstances=data.special_circumstances,
        extension_months=data.extension_months,
        opinion=data.opinion,
    )


@post(
    "/applicants/{applicant_id:uuid}/steps/{step:str}",
    summary="登记发展步骤 Record a step",
    description=(
        "按《发展党员工作细则》登记第 1–25 步：谁、何时、作出什么决定、依据哪些材料"
        "（佐证材料）、在哪次会议上、表决票数。不能跳步；违反时间规则时答 409 "
        "`development_step_refused`，`rule` 指明规则，`possible_from` 为最早可办理日期"
        "（期限已过则为 null）。第 10 步须先登记合格的政审结论、第 14 步须先填写入党志愿书"
        "（409 `development_form_missing`；政审不合格 409 `development_vetting_unqualified`）。"
        "党支部办理的步骤需要党支部的 `applicant:record`；"
        "基层党委的步骤需要具有审批权的上级党委的 `applicant:approve`（党总支不能审批）；"
        "组织部门备案需要本租户的 `applicant:approve`。每步发出 `applicant.step_recorded`，"
        "阶段或状态变化时另发 `applicant.stage_changed`。"
    ),
    tags=TAGS,
    operation_id="recordApplicantStep",
    responses=WRITE,
)
async def record(
    ctx: Ctx,
    protector: Protector,
    applicant_id: uuid.UUID,
    step: StepKey,
    data: Annotated[s.StepIn, Body(examples=[Example(summary="谈话", value=s.STEP_IN_EXAMPLE)])],
) -> Response[s.StepRecordedOut]:
    caller = Caller(user_id=ctx.principal.user_id, tenant_id=ctx.principal.tenant_id)
    async with ctx.uow() as uow:
        applicant, row = await record_step(
            uow, ctx, protector, caller, applicant_id, step, _entry(data), today=today()
        )
    out = s.StepRecordedOut(present.applicant_out(applicant, today=today()), present.step_out(row))
    return ApiResponse(out, status_code=201)


@get(
    "/applicants/{applicant_id:uuid}/steps",
    summary="发展档案 The applicant's file",
    description="已登记的步骤，按登记顺序。需要 `applicant:read`。",
    tags=TAGS,
    operation_id="listApplicantSteps",
    responses=READ,
)
async def file(
    ctx: Ctx, applicant_id: uuid.UUID, limit: Limit = 50, cursor: Cursor = None
) -> Page[s.StepOut]:
    async with ctx.uow() as uow:
        applicant = await read_applicant(uow, ctx, applicant_id)
        rows = await file_of(uow, applicant.applicant, after=decode_cursor(cursor), limit=limit)
    return page_of([present.step_out(r) for r in rows], limit, lambda r: r.id)


ROUTES = [record, file]
