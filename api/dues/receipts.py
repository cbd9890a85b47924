"""Receipts (党费收据) of paid bills: the record, printable HTML and a PDF."""

from __future__ import annotations

import uuid

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from api.context import Ctx
from api.dues import payment_schemas as ps
from api.openapi_common import READ
from domain.dues import format_month
from domain.dues.receipts import ReceiptDocument, amount_in_words
from infra.dues import DuesReceiptRow, receipt_html, receipt_of_bill, receipt_pdf
from infra.offload import offload

TAGS = ["Dues"]
_WHO = "党员本人或有 `dues:read` 权限者可查看；未交纳的缴费单没有收据（404）。"


async def _receipt(ctx: Ctx, bill_id: uuid.UUID) -> tuple[DuesReceiptRow, ReceiptDocument]:
    p = ctx.principal
    async with ctx.uow() as uow:
        return await receipt_of_bill(uow, ctx, bill_id, tenant_id=p.tenant_id, user_id=p.user_id)


@get(
    "/dues/bills/{bill_id:uuid}/receipt",
    summary="缴费单的收据 A paid bill's receipt",
    description="收据编号取自数据库序列，全平台唯一。" + _WHO,
    tags=TAGS,
    operation_id="getDuesReceipt",
    responses=READ,
)
async def get_dues_receipt(ctx: Ctx, bill_id: uuid.UUID) -> ps.ReceiptOut:
    row, _doc = await _receipt(ctx, bill_id)
    return ps.ReceiptOut(
        id=row.id,
        tenant_id=row.tenant_id,
        number=row.number,
        bill_id=row.bill_id,
        payment_id=row.payment_id,
        member_id=row.member_id,
        organization_id=row.organization_id,
        month=format_month(row.month),
        amount_fen=row.amount_fen,
        amount_in_words=amount_in_words(row.amount_fen),
        issued_at=row.issued_at,
    )


@get(
    "/dues/bills/{bill_id:uuid}/receipt.html",
    summary="收据（可打印网页） The receipt as printable HTML",
    description=_WHO,
    tags=TAGS,
    operation_id="getDuesReceiptHtml",
    responses={
        200: ResponseSpec(
            data_container=str,
            media_type="text/html",
            description="收据 The receipt",
            generate_examples=False,
        ),
        **READ,
    },
)
async def get_dues_receipt_html(ctx: Ctx, bill_id: uuid.UUID) -> Response[str]:
    _row, doc = await _receipt(ctx, bill_id)
    page = await offload(receipt_html, doc)
    return Response(content=page, media_type="text/html; charset=utf-8")


@get(
    "/dues/bills/{bill_id:uuid}/receipt.pdf",
    summary="收据（PDF） The receipt as a PDF",
    description="中文以 PDF 阅读器内置的 STSong-Light 字体排版，服务器无需安装字体。" + _WHO,
    tags=TAGS,
    operation_id="getDuesReceiptPdf",
    responses={
        200: ResponseSpec(
            data_container=bytes,
            media_type="application/pdf",
            description="收据 The receipt",
            generate_examples=False,
        ),
        **READ,
    },
)
async def get_dues_receipt_pdf(ctx: Ctx, bill_id: uuid.UUID) -> Response[bytes]:
    row, doc = await _receipt(ctx, bill_id)
    pdf = await offload(receipt_pdf, doc)
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{row.number}.pdf"'},
    )


ROUTES = [get_dues_receipt, get_dues_receipt_html, get_dues_receipt_pdf]
