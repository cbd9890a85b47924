"""Transfers (组织关系转接): start, the workflow's actions, reading either side, history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from litestar import Response, get, post
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter, Parameter, QueryParameter

from api.context import Ctx
from api.idempotency import idempotent
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.transfers import schemas as s
from api.transfers.presenters import contact_in, step_out, transfer_out, who_of
from domain.transfers import TransferKind, TransferReason
from infra.db.session import UnitOfWork
from infra.transfers import (
    StartRequest,
    answer_transfer,
    cancel_transfer,
    decide_transfer,
    list_transfers,
    queue_counts,
    read_transfer,
    start_transfer,
    submit_transfer,
    transfer_steps,
)

TAGS = ["Transfers"]
IDEMPOTENCY_KEY = HeaderParameter(
    name="Idempotency-Key",
    required=False,
    max_length=200,
    description="重放同一请求返回第一次的结果 Replays return the first response",
    examples=[Example(value="7f9c2a52-transfer-1")],
)


def _now() -> datetime:
    return datetime.now(UTC)


@post(
    "/transfers",
    summary="发起组织关系转接 Start a transfer",
    description=(
        "由党员本人或其党支部（`transfer:write`）发起。目标党组织从 `GET /transfer-directory`"
        " 中选取（本租户内或跨租户），转出平台则填写接收党组织名称（打印介绍信，凭纸质回执办结）。"
        "预备期已满未转正、停止党籍等状态不能发起（409）；已有未办结的转接返回 409"
        " transfer_open_exists。党费未交至本月时保存为草稿（draft），hold 列出欠交月份和金额，"
        "交清后 `submit`。否则直接提交审批；无需审批时应答仍为草稿，随即在另一事务中发出。"
        "支持 Idempotency-Key。"
    ),
    tags=TAGS,
    operation_id="startTransfer",
    responses=WRITE,
)
async def start(
    ctx: Ctx,
    data: s.TransferIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[s.TransferOut]:
    who = who_of(ctx)

    async def work(uow: UnitOfWork) -> s.TransferOut:
        row = await start_transfer(
            uow,
            ctx,
            who,
            StartRequest(
                member_id=data.member_id,
                kind=TransferKind(data.kind),
                reason=TransferReason(data.reason),
                reason_note=data.reason_note,
                target_tenant_code=data.target_tenant_code,
                target_organization_id=data.target_organization_id,
                outside_organization=data.outside_organization,
                sender_contact=contact_in(data.sender_contact),
            ),
            now=_now(),
        )
        return transfer_out(await read_transfer(uow, ctx, who, row.id))

    return await idempotent(ctx, work, fingerprint_of=data)


@get(
    "/transfers/{transfer_id:uuid}",
    summary="组织关系转接详情 Read a transfer",
    description=(
        "转出方看到完整记录；接收方只看到介绍信所载的党员信息，接收后才看到新的党员记录编号"
        "（member_id）和带来的积分；其他租户一律 404。"
    ),
    tags=TAGS,
    operation_id="getTransfer",
    responses=READ,
)
async def get_transfer(ctx: Ctx, transfer_id: uuid.UUID) -> s.TransferOut:
    async with ctx.uow() as uow:
        return transfer_out(await read_transfer(uow, ctx, who_of(ctx), transfer_id))


@get(
    "/transfers/{transfer_id:uuid}/steps",
    summary="转接记录 A transfer's history",
    description="本方保存的每一步：谁、何时、为何（只增不改）。",
    tags=TAGS,
    operation_id="listTransferSteps",
    responses=READ,
)
async def get_steps(ctx: Ctx, transfer_id: uuid.UUID) -> list[s.TransferStepOut]:
    async with ctx.uow() as uow:
        return [step_out(r) for r in await transfer_steps(uow, ctx, who_of(ctx), transfer_id)]


@get(
    "/transfers",
    summary="组织关系转接列表 List transfers",
    description=(
        "side=sending 为转出（本方发起的），side=receiving 为转入（发往本方党组织的）；"
        "按 state 筛选即为待办队列（如 pending_approval、sent）。"
    ),
    tags=TAGS,
    operation_id="listTransfers",
    responses=LIST,
)
async def list_all(
    ctx: Ctx,
    side: Annotated[s.SideName, Parameter(description="转出 sending / 转入 receiving")] = "sending",
    state_filter: Annotated[
        s.StateName | None, QueryParameter(name="state", description="状态")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[s.TransferOut]:
    async with ctx.uow() as uow:
        views = await list_transfers(
            uow,
            ctx,
            who_of(ctx),
            side=side,
            states=[state_filter] if state_filter else None,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([transfer_out(v) for v in views], limit, lambda t: t.id)


@get(
    "/transfer-queue",
    summary="转接待办 Transfer queues",
    description=(
        "本辖区（或 organization_id 的子树）的转接：待办（转出方待提交、待审批、被退回，"
        "接收方待接收）、在办（已发出待对方接收）、逾期（某级待审批超过租户设置"
        " transfer_approval_overdue_days 天、介绍信 7 天内到期、转出平台的回执一个月未回），"
        "合计并按租户汇总。"
    ),
    tags=TAGS,
    operation_id="getTransferQueue",
    responses=LIST,
)
async def get_queue(
    ctx: Ctx,
    organization_id: Annotated[
        uuid.UUID | None, Parameter(description="只看该党组织及其下级")
    ] = None,
) -> s.TransferQueueOut:
    async with ctx.uow() as uow:
        counts = await queue_counts(
            uow,
            ctx,
            home_tenant_id=ctx.principal.tenant_id,
            organization_id=organization_id,
            now=_now(),
        )
    return s.TransferQueueOut(
        to_do=sum(c.to_do for c in counts),
        in_progress=sum(c.in_progress for c in counts),
        overdue=sum(c.overdue for c in counts),
        items=[
            s.TransferQueueRow(
                tenant_id=c.tenant_id,
                side=c.side,  # type: ignore[arg-type]
                to_do=c.to_do,
                in_progress=c.in_progress,
                overdue=c.overdue,
            )
            for c in counts
        ],
    )


async def _after(ctx: Ctx, transfer_id: uuid.UUID) -> s.TransferOut:
    """The transfer as a step left it, read in a transaction of its own: where the step
    went through a door, this role may not read in its transaction what the door wrote
    (Citus refuses it)."""
    async with ctx.uow() as uow:
        return transfer_out(await read_transfer(uow, ctx, who_of(ctx), transfer_id))


@post(
    "/transfers/{transfer_id:uuid}/submit",
    summary="提交转接 Submit a transfer",
    description=(
        "提交草稿或重新提交被退回的转接；重新检查党员状态和党费"
        "（未交清返回 409 transfer_dues_unpaid）。"
    ),
    tags=TAGS,
    operation_id="submitTransfer",
    status_code=200,
    responses=WRITE,
)
async def submit(ctx: Ctx, transfer_id: uuid.UUID, data: s.TransferDecisionIn) -> s.TransferOut:
    async with ctx.uow() as uow:
        await submit_transfer(uow, ctx, who_of(ctx), transfer_id, now=_now())
    return await _after(ctx, transfer_id)


@post(
    "/transfers/{transfer_id:uuid}/approve",
    summary="审批同意 Approve at this level",
    description=(
        "由转出方当前待审级别的党组织（`transfer:approve`）审批；租户设置 transfer_approval_levels"
        " 决定须经几级（默认 1 级：党支部的上级党组织）。最后一级同意后开具介绍信并发出。"
    ),
    tags=TAGS,
    operation_id="approveTransfer",
    status_code=200,
    responses=WRITE,
)
async def approve(ctx: Ctx, transfer_id: uuid.UUID, data: s.TransferDecisionIn) -> s.TransferOut:
    async with ctx.uow() as uow:
        await decide_transfer(
            uow, ctx, who_of(ctx), transfer_id, approve=True, reason=data.reason, now=_now()
        )
    return await _after(ctx, transfer_id)


@post(
    "/transfers/{transfer_id:uuid}/reject",
    summary="审批不同意 Reject",
    description="由当前待审级别的党组织不同意（须说明理由），转接终止。",
    tags=TAGS,
    operation_id="rejectTransfer",
    status_code=200,
    responses=WRITE,
)
async def reject(ctx: Ctx, transfer_id: uuid.UUID, data: s.TransferDecisionIn) -> s.TransferOut:
    async with ctx.uow() as uow:
        await decide_transfer(
            uow, ctx, who_of(ctx), transfer_id, approve=False, reason=data.reason, now=_now()
        )
    return await _after(ctx, transfer_id)


@post(
    "/transfers/{transfer_id:uuid}/accept",
    summary="接收 Accept",
    description=(
        "接收方党组织（`transfer:receive`）接收已发出的转接：在同一事务中转移党员（跨租户时在本租户"
        "建立新的党员记录并带来其历史，原记录标为已转出），任何一步失败则全部回滚。"
        "已被撤销、过期或已接收时返回 409。转出平台的转接由转出方（`transfer:write`）凭收回的"
        "纸质回执在此登记（reason 填回执情况），原记录标为已转出。"
    ),
    tags=TAGS,
    operation_id="acceptTransfer",
    status_code=200,
    responses=WRITE,
)
async def accept(ctx: Ctx, transfer_id: uuid.UUID, data: s.TransferDecisionIn) -> s.TransferOut:
    async with ctx.uow() as uow:
        await answer_transfer(
            uow, ctx, who_of(ctx), transfer_id, accept=True, reason=data.reason, now=_now()
        )
    return await _after(ctx, transfer_id)


@post(
    "/transfers/{transfer_id:uuid}/return",
    summary="退回 Return",
    description="接收方退回（须说明理由，如材料不全、转入单位有误）；转出方修改后可重新提交。",
    tags=TAGS,
    operation_id="returnTransfer",
    status_code=200,
    responses=WRITE,
)
async def return_(ctx: Ctx, transfer_id: uuid.UUID, data: s.TransferDecisionIn) -> s.TransferOut:
    async with ctx.uow() as uow:
        await answer_transfer(
            uow, ctx, who_of(ctx), transfer_id, accept=False, reason=data.reason, now=_now()
        )
    return await _after(ctx, transfer_id)


@post(
    "/transfers/{transfer_id:uuid}/cancel",
    summary="撤销 Cancel",
    description="转出方（或党员本人）撤销未办结的转接；已发出的同时从接收方撤回。",
    tags=TAGS,
    operation_id="cancelTransfer",
    status_code=200,
    responses=WRITE,
)
async def cancel(ctx: Ctx, transfer_id: uuid.UUID, data: s.TransferDecisionIn) -> s.TransferOut:
    async with ctx.uow() as uow:
        await cancel_transfer(uow, ctx, who_of(ctx), transfer_id, reason=data.reason, now=_now())
    return await _after(ctx, transfer_id)


ROUTES = [
    start,
    get_transfer,
    get_steps,
    list_all,
    get_queue,
    submit,
    approve,
    reject,
    accept,
    return_,
    cancel,
]
