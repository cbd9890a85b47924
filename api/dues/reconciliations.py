"""Reconciliation (对账): a provider's statement of a day beside the ledger; differences
listed and resolved by people, never corrected by the import."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import get, post

from api.context import Ctx
from api.deps import PaymentProviders
from api.dues import payment_schemas as ps
from api.openapi_common import READ, WRITE, errors
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from infra.dues import (
    DuesReconciliationRow,
    Reconciliation,
    get_reconciliation,
    import_statement,
    list_reconciliations,
    resolve_difference,
)

TAGS = ["Dues"]


def reconciliation_out(
    r: DuesReconciliationRow, items: list[ps.DifferenceOut]
) -> ps.ReconciliationOut:
    return ps.ReconciliationOut(
        id=r.id,
        tenant_id=r.tenant_id,
        provider=r.provider,  # type: ignore[arg-type]
        day=r.day,
        statement_rows=r.statement_rows,
        matched=r.matched,
        differences=r.differences,
        imported_by=r.imported_by,
        imported_at=r.imported_at,
        items=items,
    )


def full_out(rec: Reconciliation) -> ps.ReconciliationOut:
    return reconciliation_out(
        rec.row,
        [
            ps.DifferenceOut(
                id=i.id,
                kind=i.kind,  # type: ignore[arg-type]
                out_trade_no=i.out_trade_no,
                transaction_id=i.transaction_id,
                statement_fen=i.statement_fen,
                ledger_fen=i.ledger_fen,
                payment_id=i.payment_id,
                resolution=i.resolution,
                resolved_by=i.resolved_by,
                resolved_at=i.resolved_at,
            )
            for i in rec.items
        ],
    )


@post(
    "/dues/reconciliations",
    summary="导入渠道账单对账 Reconcile a day's statement",
    description=(
        "导入支付渠道某日（北京时间）的交易账单（不带 statement 时向渠道下载），与台账当日结清的"
        "支付逐笔核对：列出渠道有而台账无、台账有而渠道无、金额不符和重复的各项。不自动更正任何"
        "数据；每项差异由财务人员处理并记录说明。需要租户的 `dues:write`。"
    ),
    tags=TAGS,
    operation_id="createDuesReconciliation",
    responses=WRITE,
)
async def create_dues_reconciliation(
    ctx: Ctx, payment_providers: PaymentProviders, data: ps.ReconciliationIn
) -> ps.ReconciliationOut:
    p = ctx.principal
    async with ctx.uow() as uow:
        rec = await import_statement(
            uow,
            ctx,
            payment_providers,
            tenant_id=p.tenant_id,
            user_id=p.user_id,
            provider=data.provider,
            day=data.day,
            statement=data.statement,
        )
        return full_out(rec)


@get(
    "/dues/reconciliations",
    summary="对账记录 List reconciliations",
    description="有租户范围 `dues:read` 权限者可查看，按导入先后。",
    tags=TAGS,
    operation_id="listDuesReconciliations",
    responses=errors(400, 401, 403),
)
async def list_dues_reconciliations(
    ctx: Ctx, limit: Limit = 50, cursor: Cursor = None
) -> Page[ps.ReconciliationOut]:
    async with ctx.uow() as uow:
        rows = await list_reconciliations(uow, ctx, limit=limit, after=decode_cursor(cursor))
    return page_of([reconciliation_out(r, []) for r in rows], limit, lambda r: r.id)


@get(
    "/dues/reconciliations/{reconciliation_id:uuid}",
    summary="一次对账及其差异 A reconciliation and its differences",
    tags=TAGS,
    operation_id="getDuesReconciliation",
    responses=READ,
)
async def get_dues_reconciliation(ctx: Ctx, reconciliation_id: uuid.UUID) -> ps.ReconciliationOut:
    async with ctx.uow() as uow:
        return full_out(await get_reconciliation(uow, ctx, reconciliation_id))


@post(
    "/dues/reconciliations/{reconciliation_id:uuid}/items/{item_id:uuid}/resolve",
    summary="处理一项对账差异 Resolve a difference",
    description="记录处理说明、处理人和时间；每项只处理一次（再次处理返回 409）。不改动台账。",
    tags=TAGS,
    operation_id="resolveDuesDifference",
    status_code=200,
    responses=WRITE,
)
async def resolve_dues_difference(
    ctx: Ctx, reconciliation_id: uuid.UUID, item_id: uuid.UUID, data: ps.ResolveIn
) -> ps.ReconciliationOut:
    async with ctx.uow() as uow:
        rec = await resolve_difference(
            uow,
            ctx,
            reconciliation_id,
            item_id,
            note=data.note,
            user_id=ctx.principal.user_id,
            now=datetime.now(UTC),
        )
        return full_out(rec)


ROUTES = [
    create_dues_reconciliation,
    list_dues_reconciliations,
    get_dues_reconciliation,
    resolve_dues_difference,
]
