"""流动党员活动证: issue, read, list, close; the host organization's records."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from litestar import get, post
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.transfers import schemas as s
from api.transfers.presenters import who_of
from domain.shared import DISPLAY_ZONE
from domain.transfers import HostEntryKind
from infra.transfers import (
    CertificateRequest,
    HostEntry,
    MobileCertificateRow,
    MobileHostEntryRow,
    close_certificate,
    host_entries,
    issue_certificate,
    list_certificates,
    read_certificate,
    record_host_entry,
)

TAGS = ["Transfers"]


def certificate_out(row: MobileCertificateRow, side: str) -> s.MobileCertificateOut:
    return s.MobileCertificateOut(
        id=row.id,
        side=side,  # type: ignore[arg-type]
        number=f"LD-{row.number:08d}",
        member_id=row.member_id,
        member_name=row.member_name,
        member_gender=row.member_gender,
        member_status=row.member_status,
        member_phone=row.member_phone_masked,
        organization_id=row.organization_id,
        from_tenant_name=row.from_tenant_name,
        from_organization_name=row.from_organization_name,
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
        return certificate_out(row, "issuing")


@get(
    "/mobile-certificates/{certificate_id:uuid}",
    summary="流动党员活动证 Read a certificate",
    description=(
        "开具方（党员所在支部，`transfer:read`）和流入地党组织（`transfer:read` 或 "
        "`transfer:receive`）都可查看；流入地只看到活动证上的党员信息（姓名、性别、类别、脱敏手机号）。"
    ),
    tags=TAGS,
    operation_id="getMobileCertificate",
    responses=READ,
)
async def get_certificate(ctx: Ctx, certificate_id: uuid.UUID) -> s.MobileCertificateOut:
    async with ctx.uow() as uow:
        return certificate_out(*await read_certificate(uow, ctx, certificate_id))


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
        return certificate_out(row, "issuing")


@get(
    "/mobile-certificates",
    summary="流动党员活动证列表 List certificates",
    description="`side=issuing`（默认）：本方支部开具的；`side=host`：流入本方党组织的流动党员。",
    tags=TAGS,
    operation_id="listMobileCertificates",
    responses=LIST,
)
async def list_all(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    member_id: Annotated[uuid.UUID | None, Parameter(description="党员 Member")] = None,
    side: Annotated[
        Literal["issuing", "host"], Parameter(description="开具方 issuing / 流入地 host")
    ] = "issuing",
) -> Page[s.MobileCertificateOut]:
    async with ctx.uow() as uow:
        rows = await list_certificates(
            uow, ctx, side=side, member_id=member_id, limit=limit, after=decode_cursor(cursor)
        )
    return page_of([certificate_out(r, side) for r in rows], limit, lambda c: c.id)


def entry_out(row: MobileHostEntryRow) -> s.MobileHostEntryOut:
    return s.MobileHostEntryOut(
        id=row.id,
        certificate_id=row.certificate_id,
        kind=row.kind,  # type: ignore[arg-type]
        on=row.on_date,
        month=row.month.strftime("%Y-%m") if row.month else None,
        amount_fen=row.amount_fen,
        note=row.note,
        recorded_by_name=row.recorded_by_name,
        recorded_at=row.recorded_at,
    )


@post(
    "/mobile-certificates/{certificate_id:uuid}/entries",
    summary="流入地党组织记录 The host records a mobile member's stay",
    description=(
        "流入地党组织（`transfer:receive`）先登记报到（arrival），再记录参加组织生活（activity）、"
        "在流入地交纳的党费（dues，填所属月份和金额，每月一条）和离开时的鉴定意见（opinion，一条）；"
        "日期须在有效期内且不晚于今天，活动证收回后不再记录。流动党员在流入地参加活动，不参加表决。"
        "开具方可查看这些记录。"
    ),
    tags=TAGS,
    operation_id="recordMobileHostEntry",
    responses=WRITE,
)
async def record_entry(
    ctx: Ctx, certificate_id: uuid.UUID, data: s.MobileHostEntryIn
) -> s.MobileHostEntryOut:
    async with ctx.uow() as uow:
        row = await record_host_entry(
            uow,
            ctx,
            who_of(ctx),
            certificate_id,
            HostEntry(
                kind=HostEntryKind(data.kind),
                on=data.on,
                month=date.fromisoformat(f"{data.month}-01") if data.month else None,
                amount_fen=data.amount_fen,
                note=data.note,
            ),
            today=datetime.now(UTC).astimezone(DISPLAY_ZONE).date(),
        )
        return entry_out(row)


@get(
    "/mobile-certificates/{certificate_id:uuid}/entries",
    summary="流入地党组织的记录 The host's records of a certificate",
    description="开具方和流入地党组织都可查看，按日期排列。",
    tags=TAGS,
    operation_id="listMobileHostEntries",
    responses=READ,
)
async def list_entries(ctx: Ctx, certificate_id: uuid.UUID) -> list[s.MobileHostEntryOut]:
    async with ctx.uow() as uow:
        return [entry_out(r) for r in await host_entries(uow, ctx, certificate_id)]


ROUTES = [issue, get_certificate, close, list_all, record_entry, list_entries]
