"""流动党员活动证: issue, read, list, close."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.transfers import schemas as s
from api.transfers.presenters import who_of
from domain.shared import DISPLAY_ZONE
from infra.transfers import (
    CertificateRequest,
    MobileCertificateRow,
    close_certificate,
    issue_certificate,
    list_certificates,
    read_certificate,
)

TAGS = ["Transfers"]


def certificate_out(row: MobileCertificateRow) -> s.MobileCertificateOut:
    return s.MobileCertificateOut(
        id=row.id,
        number=f"LD-{row.number:08d}",
        member_id=row.member_id,
        organization_id=row.organization_id,
        host_tenant_id=row.host_tenant_id,
        host_organization_id=row.host_organization_id,
        host_organization_name=row.host_organization_name,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        reason=row.reason,
        state=row.state,  # type: ignore[arg-type]
        issued_by_name=row.issued_by_name,
        issued_at=row.issued_at,
        closed_by_name=row.closed_by_name,
        closed_at=row.closed_at,
        close_note=row.close_note,
    )


@post(
    "/mobile-certificates",
    summary="开具流动党员活动证 Issue a mobile member's certificate",
    description=(
        "外出不超过六个月的党员由所在党支部（`transfer:write`）开具，注明流入地党组织和有效期；"
        "组织关系不转接。同一党员同时只有一张未收回的活动证（409 mobile_certificate_open）。"
    ),
    tags=TAGS,
    operation_id="issueMobileCertificate",
    responses=WRITE,
)
async def issue(ctx: Ctx, data: s.MobileCertificateIn) -> s.MobileCertificateOut:
    async with ctx.uow() as uow:
        row = await issue_certificate(
            uow,
            ctx,
            who_of(ctx),
            CertificateRequest(
                member_id=data.member_id,
                host_tenant_code=data.host_tenant_code,
                host_organization_id=data.host_organization_id,
                host_organization_name=data.host_organization_name,
                valid_from=data.valid_from,
                valid_until=data.valid_until,
                reason=data.reason,
            ),
            today=datetime.now(UTC).astimezone(DISPLAY_ZONE).date(),
        )
        return certificate_out(row)


@get(
    "/mobile-certificates/{certificate_id:uuid}",
    summary="流动党员活动证 Read a certificate",
    tags=TAGS,
    operation_id="getMobileCertificate",
    responses=READ,
)
async def get_certificate(ctx: Ctx, certificate_id: uuid.UUID) -> s.MobileCertificateOut:
    async with ctx.uow() as uow:
        return certificate_out(await read_certificate(uow, ctx, certificate_id))


@post(
    "/mobile-certificates/{certificate_id:uuid}/close",
    summary="收回流动党员活动证 Close a certificate",
    description="党员返回或转接组织关系时由开具的党支部收回。",
    tags=TAGS,
    operation_id="closeMobileCertificate",
    status_code=200,
    responses=WRITE,
)
async def close(
    ctx: Ctx, certificate_id: uuid.UUID, data: s.TransferDecisionIn
) -> s.MobileCertificateOut:
    async with ctx.uow() as uow:
        row = await close_certificate(
            uow, ctx, who_of(ctx), certificate_id, note=data.reason, now=datetime.now(UTC)
        )
        return certificate_out(row)


@get(
    "/mobile-certificates",
    summary="流动党员活动证列表 List certificates",
    tags=TAGS,
    operation_id="listMobileCertificates",
    responses=LIST,
)
async def list_all(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    member_id: Annotated[uuid.UUID | None, Parameter(description="党员 Member")] = None,
) -> Page[s.MobileCertificateOut]:
    async with ctx.uow() as uow:
        rows = await list_certificates(
            uow, ctx, member_id=member_id, limit=limit, after=decode_cursor(cursor)
        )
    return page_of([certificate_out(r) for r in rows], limit, lambda c: c.id)


ROUTES = [issue, get_certificate, close, list_all]
