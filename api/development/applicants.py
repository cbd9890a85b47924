"""Applicant endpoints (入党申请人): register, list, read. Thin: parse, call, present."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Response, get, post
from litestar.openapi.spec import Example
from litestar.params import Body, Parameter

from api.context import Ctx
from api.deps import Protector
from api.development import presenters as present
from api.development import schemas as s
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.times import ApiResponse
from domain.development import ApplicantDraft
from infra.development import (
    ApplicantFilter,
    create_applicant,
    list_applicants,
    read_applicant,
    reveal_applicant,
)
from infra.members import today

TAGS = ["Development"]


@post(
    "/applicants",
    summary="登记入党申请人 Register an applicant",
    description=(
        "在党支部登记入党申请人（申请本身是第 1 步，另行登记）。身份证号和手机号按党员信息的"
        "规则校验，加密保存，默认脱敏；同一租户内一个身份证号只登记一次（409 "
        "`development_duplicate_applicant`），已是党员（本租户或其他租户）的身份证号不能登记"
        "（409 `member_duplicate_id_number`，与党员登记相同）。"
        "需要该党支部的 `applicant:write` 权限。"
    ),
    tags=TAGS,
    operation_id="createApplicant",
    responses=WRITE,
)
async def create(
    ctx: Ctx,
    protector: Protector,
    data: Annotated[
        s.ApplicantIn, Body(examples=[Example(summary="申请人", value=s.APPLICANT_IN_EXAMPLE)])
    ],
) -> Response[s.ApplicantOut]:
    draft = ApplicantDraft(
        organization_id=data.organization_id,
        name=data.name,
        id_number=data.id_number,
        phone=data.phone,
        ethnicity=data.ethnicity,
        education=data.education,
        work_unit=data.work_unit,
        post=data.post,
    )
    async with ctx.uow() as uow:
        record = await create_applicant(uow, ctx, protector, draft, today=today())
    return ApiResponse(present.applicant_out(record, today=today()), status_code=201)


@get(
    "/applicants",
    summary="入党申请人列表 List applicants",
    description=(
        "按党组织（`include_descendants` 含下级）、状态、阶段和当前步骤筛选；不指定党组织时"
        "列出调用者持有 `applicant:read` 的全部范围。待办队列：`overdue=true` 列出下一步骤"
        "已逾期的，`due_by` 列出在该日前到期的（谈话、考察、审批），`notice_open=true` 列出"
        "公示期尚未结束的。`member_id` 找到一名党员的发展档案。"
    ),
    tags=TAGS,
    operation_id="listApplicants",
    responses=LIST,
)
async def list_(
    ctx: Ctx,
    organization_id: uuid.UUID | None = None,
    include_descendants: bool = False,
    status: s.StatusName | None = None,
    stage: Annotated[int | None, Parameter(ge=1, le=5, description="阶段 1–5")] = None,
    # gt=-1, not ge=0: Litestar leaves a zero bound out of the document
    current_step: Annotated[
        int | None, Parameter(gt=-1, le=25, description="最近办结的步骤 0–25")
    ] = None,
    overdue: Annotated[
        bool, Parameter(description="只列下一步骤已逾期的（待办队列：逾期）")
    ] = False,
    due_by: Annotated[
        date | None, Parameter(description="只列下一步骤在此日期前（含）到期的")
    ] = None,
    notice_open: Annotated[bool, Parameter(description="只列公示期尚未结束的")] = False,
    member_id: Annotated[
        uuid.UUID | None, Parameter(description="只列成为该党员的申请人（党员的发展档案）")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[s.ApplicantOut]:
    day = today()
    filters = ApplicantFilter(
        organization_id,
        include_descendants,
        status,
        stage,
        current_step,
        overdue_on=day if overdue else None,
        due_by=due_by,
        notice_open_on=day if notice_open else None,
        member_id=member_id,
    )
    async with ctx.uow() as uow:
        found = await list_applicants(uow, ctx, filters, after=decode_cursor(cursor), limit=limit)
    return page_of([present.applicant_out(r, today=day) for r in found], limit, lambda a: a.id)


@get(
    "/applicants/{applicant_id:uuid}",
    summary="入党申请人详情 Get an applicant",
    description=(
        "默认脱敏。`reveal=true` 显示完整身份证号和手机号，需 `applicant:read_sensitive` 权限"
        "（否则 403），每次读取都写入审计日志（`applicant.read_sensitive`）。"
    ),
    tags=TAGS,
    operation_id="getApplicant",
    responses=READ,
)
async def get_one(
    ctx: Ctx,
    protector: Protector,
    applicant_id: uuid.UUID,
    reveal: Annotated[
        bool, Parameter(description="显示完整敏感信息 Show ID number and phone in full")
    ] = False,
) -> Response[s.ApplicantOut]:
    async with ctx.uow() as uow:
        if reveal:
            record, revealed = await reveal_applicant(uow, ctx, protector, applicant_id)
            return ApiResponse(
                present.applicant_out(record, revealed, today=today()),
                headers={"Cache-Control": "no-store"},
            )
        record = await read_applicant(uow, ctx, applicant_id)
    return ApiResponse(present.applicant_out(record, today=today()))


ROUTES = [create, list_, get_one]
