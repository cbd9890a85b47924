"""The audit trail endpoint (审计日志)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from infra.tenancy import audit as svc

AUDIT = ["Audit"]


@get(
    "/audit-events",
    summary="审计日志 Audit events",
    description="本子树内的审计事件，按时间倒序，游标分页。",
    tags=AUDIT,
    operation_id="listAuditEvents",
    responses=LIST,
)
async def list_audit_events(
    ctx: Ctx,
    limit: Limit = 50,
    cursor: Cursor = None,
    action: Annotated[
        str | None, Parameter(max_length=64, examples=[Example(value="tenant.create")])
    ] = None,
    resource_type: Annotated[
        str | None, Parameter(max_length=64, examples=[Example(value="organization")])
    ] = None,
    actor_id: uuid.UUID | None = None,
    tenant_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[s.AuditEventOut]:
    async with ctx.uow() as uow:
        rows = await svc.list_audit_events(
            uow,
            ctx,
            limit=limit,
            cursor=decode_cursor(cursor),
            action=action,
            resource_type=resource_type,
            actor_id=actor_id,
            tenant_id=tenant_id,
            since=since,
            until=until,
        )
    return page_of([present.audit_out(r) for r in rows], limit, lambda e: e.id)


ROUTES = [list_audit_events]
