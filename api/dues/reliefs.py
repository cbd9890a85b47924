"""Hardship reductions and exemptions (减免): propose, approve or reject, list."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.dues import schemas as s
from api.openapi_common import LIST, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from domain.dues import ReliefKind, ReliefStatus, format_month, parse_month
from infra.dues import DuesReliefRow, Proposal, decide_relief, list_reliefs, propose_relief

TAGS = ["Dues"]


def relief_out(row: DuesReliefRow) -> s.ReliefOut:
    return s.ReliefOut(
        id=row.id,
        tenant_id=row.tenant_id,
        member_id=row.member_id,
        organization_id=row.organization_id,
        kind=row.kind,  # type: ignore[arg-type]
        monthly_amount_fen=row.monthly_amount_fen,
        from_month=format_month(row.from_month),
        to_month=format_month(row.to_month),
        reason=row.reason,
        status=row.status,  # type: ignore[arg-type]
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


@post(
    "/dues/reliefs",
    summary="提出党费减免 Propose a dues relief",
    description=(
        "党支部为生活困难的党员提出减交（每月应交 monthly_amount_fen）或免交，期限为"
        " from_month 至 to_month（含）；须由上级党组织（`dues:approve`）审批。"
    ),
    tags=TAGS,
    operation_id="proposeDuesRelief",
    responses=WRITE,
)
async def propose_dues_relief(ctx: Ctx, data: s.ReliefIn) -> s.ReliefOut:
    async with ctx.uow() as uow:
        row = await propose_relief(
            uow,
            ctx,
            Proposal(
                member_id=data.member_id,
                kind=ReliefKind(data.kind),
                monthly_amount_fen=data.monthly_amount_fen,
                from_month=parse_month(data.from_month),
                to_month=parse_month(data.to_month),
                reason=data.reason,
            ),
            proposed_by=ctx.principal.user_id,
        )
        return relief_out(row)


async def _decide(
    ctx: Ctx, relief_id: uuid.UUID, data: s.ReliefDecisionIn, *, approve: bool
) -> s.ReliefOut:
    async with ctx.uow() as uow:
        row = await decide_relief(
            uow,
            ctx,
            relief_id,
            approve=approve,
            decided_by=ctx.principal.user_id,
            note=data.note,
        )
        return relief_out(row)


@post(
    "/dues/reliefs/{relief_id:uuid}/approve",
    summary="批准党费减免 Approve a dues relief",
    description="由党员所在党支部的上级党组织批准；提出人不能批准自己提出的减免。",
    tags=TAGS,
    operation_id="approveDuesRelief",
    status_code=200,
    responses=WRITE,
)
async def approve_dues_relief(
    ctx: Ctx, relief_id: uuid.UUID, data: s.ReliefDecisionIn
) -> s.ReliefOut:
    return await _decide(ctx, relief_id, data, approve=True)


@post(
    "/dues/reliefs/{relief_id:uuid}/reject",
    summary="不批准党费减免 Reject a dues relief",
    tags=TAGS,
    operation_id="rejectDuesRelief",
    status_code=200,
    responses=WRITE,
)
async def reject_dues_relief(
    ctx: Ctx, relief_id: uuid.UUID, data: s.ReliefDecisionIn
) -> s.ReliefOut:
    return await _decide(ctx, relief_id, data, approve=False)


@get(
    "/dues/reliefs",
    summary="党费减免列表 List dues reliefs",
    tags=TAGS,
    operation_id="listDuesReliefs",
    responses=LIST,
)
async def list_dues_reliefs(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    member_id: Annotated[uuid.UUID | None, Parameter(description="党员 Member")] = None,
    status: s.ReliefStatusName | None = None,
) -> Page[s.ReliefOut]:
    async with ctx.uow() as uow:
        rows = await list_reliefs(
            uow,
            ctx,
            tenant_id=ctx.principal.tenant_id,
            user_id=ctx.principal.user_id,
            member_id=member_id,
            status=ReliefStatus(status) if status else None,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([relief_out(r) for r in rows], limit, lambda r: r.id)


ROUTES = [propose_dues_relief, approve_dues_relief, reject_dues_relief, list_dues_reliefs]
