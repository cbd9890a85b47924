"""The platform's published directory of branches, for choosing a transfer's target."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get
from litestar.params import Parameter

from api.context import Ctx
from api.openapi_common import LIST
from api.transfers import schemas as s
from infra.tenancy import branch_directory

TAGS = ["Transfers"]


@get(
    "/transfer-directory",
    summary="转入党组织目录 Find a branch to transfer to",
    description=(
        "全平台的党支部目录，只显示名称：按租户行政区划代码（tenant_code）和党组织名称片段（q）"
        "或编号查找，不显示任何党员、人员或统计信息。"
    ),
    tags=TAGS,
    operation_id="searchTransferDirectory",
    responses=LIST,
)
async def search_directory(
    ctx: Ctx,
    tenant_code: Annotated[
        str, Parameter(pattern=r"^[0-9]{6}$", description="租户行政区划代码，如 440305")
    ],
    q: Annotated[str | None, Parameter(min_length=1, max_length=50, description="名称片段")] = None,
    organization_id: Annotated[uuid.UUID | None, Parameter(description="党组织编号")] = None,
    limit: Annotated[int, Parameter(ge=1, le=50)] = 20,
) -> list[s.DirectoryEntryOut]:
    async with ctx.uow() as uow:
        entries = await branch_directory(
            uow, tenant_code=tenant_code, organization_id=organization_id, name=q, limit=limit
        )
        uow.audit(
            "transfer.directory_search",
            "organization",
            None,
            detail={"tenant_code": tenant_code, "q": q, "found": len(entries)},
        )
    return [
        s.DirectoryEntryOut(
            tenant_id=e.tenant_id,
            tenant_name=e.tenant_name,
            tenant_code=e.tenant_code,
            organization_id=e.organization_id,
            organization_name=e.organization_name,
            organization_kind=e.organization_kind,
        )
        for e in entries
    ]


ROUTES = [search_directory]
