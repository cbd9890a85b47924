"""Narrowing list queries to where the caller holds a permission.

Row-level security already limits rows to the caller's tenant subtree; a role granted on
a child tenant or on one organization narrows further. Scopes come from
`Ctx.scopes(obj, act)` as (tenant path, organization path or None).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, cast, false, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from infra.db.types import Ltree

Scopes = Sequence[tuple[str, str | None]]


def _under(column: Any, path: str) -> ColumnElement[bool]:
    result: ColumnElement[bool] = column.op("<@")(cast(literal(path), Ltree))
    return result


def within_scopes(
    scopes: Scopes, *, tenant_id: Any, org_path: Any | None = None
) -> ColumnElement[bool]:
    """A WHERE clause: rows in any of the scopes (nothing when there are none)."""
    from infra.tenancy.tables import Tenant

    clauses: list[ColumnElement[bool]] = []
    for tenant_path, organization_path in scopes:
        tenants = select(Tenant.id).where(_under(Tenant.path, tenant_path))
        clause = tenant_id.in_(tenants)
        if organization_path is not None and org_path is not None:
            clause = and_(clause, _under(org_path, organization_path))
        clauses.append(clause)
    return or_(*clauses) if clauses else false()
