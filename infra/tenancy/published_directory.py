"""The platform's published directory of branches: where a member's membership may go.

Any tenant may be the target of a transfer, and each tenant sees only its own subtree, so
the directory is read through `zhibu_branch_directory` (SECURITY DEFINER, migration 0046):
names and ids only, by a tenant's division code and an organization id or name fragment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text

from infra.db.session import UnitOfWork

_DIRECTORY = text(
    "SELECT tenant_id, tenant_name, tenant_code, organization_id, organization_name,"
    " organization_kind FROM zhibu_branch_directory(:code, :org, :name, :limit)"
)


@dataclass(frozen=True, slots=True)
class BranchEntry:
    tenant_id: uuid.UUID
    tenant_name: str
    tenant_code: str
    organization_id: uuid.UUID
    organization_name: str
    organization_kind: str


async def branch_directory(
    uow: UnitOfWork,
    *,
    tenant_code: str | None,
    organization_id: uuid.UUID | None = None,
    name: str | None = None,
    limit: int = 20,
) -> list[BranchEntry]:
    rows = await uow.session.execute(
        _DIRECTORY,
        {"code": tenant_code, "org": organization_id, "name": name or None, "limit": limit},
    )
    return [BranchEntry(*r) for r in rows.all()]
