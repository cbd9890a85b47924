"""The platform's published directory of branches, for choosing a transfer's target."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.openapi.spec import Example
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
        "全平台公开的党支部目录，只显示名称和编号：按租户行政区划代码（tenant_code）和党组织"
        "名称片段（q）查找，至多 50 条；不显示任何党员、人员或统计信息。未给 tenant_code 时为空。"
        "这是唯一有意跨租户的列表，其余数据仍只在本辖区可见。"
    ),
    tags=TAGS,
    operation_id="searchTransferDirectory",
    responses=LIST,
)
async def search_directory(
    ctx: Ctx,
    tenant_code: Annotated[
        str | None,
        Parameter(
            pattern=r"^[0-9]{6}$",
            description="租户行政区划代码（不给则无结果）",
            examples=[Example(value="440305")],
        ),
    ] = None,
    q: Annotated[
        str | None,
        Parameter(
            min_length=1, max_length=50, description="名称片段", examples=[Example(value="档案")]
        ),
    ] = None,
    limit: Annotated[int, Parameter(ge=1, le=200, description="至多 50 条")] = 20,
) -> list[s.TransferDirectoryEntryOut]:
    async with ctx.uow() as uow:
        entries = await branch_directory(uow, tenant_code=tenant_code, name=q, limit=limit)
        uow.audit(
            "transfer.directory_search",
            "organization",
            None,
            detail={"tenant_code": tenant_code, "q": q, "found": len(entries)},
        )
    return [
        s.TransferDirectoryEntryOut(
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
