"""What a caller's lists show: rows within the scopes where they hold a permission.

Row-level security already limits rows to the caller's tenant subtree; a role granted on
a child tenant or on one organization narrows further. Scopes come from
`Ctx.scopes(obj, act)` as (tenant path, organization path or None).

Accounts and role grants: lists and single reads share one rule.

A scope held on a tenant subtree covers the accounts of those tenants and every grant
inside it. A scope held on one organization (a branch secretary's) covers the grants made
inside that organization's subtree and the accounts that hold them, nothing else of the
tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, cast, exists, false, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from domain.tenancy import org_domain, tenant_domain
from infra.db.session import UnitOfWork
from infra.db.types import Ltree
from infra.tenancy.tables import AppUser, RoleAssignment, Tenant

Scopes = Sequence[tuple[str, str | None]]


def _under(column: Any, path: str) -> ColumnElement[bool]:
    result: ColumnElement[bool] = column.op("<@")(cast(literal(path), Ltree))
    return result


def within_scopes(
    scopes: Scopes, *, tenant_id: Any, org_path: Any | None = None
) -> ColumnElement[bool]:
    """A WHERE clause: rows in any of the scopes (nothing when there are none)."""
    clauses: list[ColumnElement[bool]] = []
    for tenant_path, organization_path in scopes:
        tenants = select(Tenant.id).where(_under(Tenant.path, tenant_path))
        clause = tenant_id.in_(tenants)
        if organization_path is not None and org_path is not None:
            clause = and_(clause, _under(org_path, organization_path))
        clauses.append(clause)
    return or_(*clauses) if clauses else false()


async def tenant_ids_within(uow: UnitOfWork, scopes: Scopes) -> list[uuid.UUID]:
    """Ids of the visible tenants the scopes' tenant subtrees cover, as values: a statement
    that filters by them (`tenant_id = ANY(:ids)`) is planned with the tenants' real share
    of its rows, where a sub-select on the tenant tree is guessed at one row."""
    if not scopes:
        return []
    stmt = select(Tenant.id).where(or_(*(_under(Tenant.path, t) for t, _ in scopes)))
    return list((await uow.session.execute(stmt)).scalars())


def _domain_prefix(tenant_path: str, org_path: str | None) -> str:
    return org_domain(tenant_path, org_path) if org_path else tenant_domain(tenant_path)


def grants_within(scopes: Scopes) -> ColumnElement[bool]:
    clauses = [
        RoleAssignment.domain.startswith(_domain_prefix(t, o), autoescape=True)  # type: ignore[attr-defined]
        for t, o in scopes
    ]
    return or_(*clauses) if clauses else false()


def users_within(scopes: Scopes) -> ColumnElement[bool]:
    tenant_wide = [(t, o) for t, o in scopes if o is None]
    by_org = [(t, o) for t, o in scopes if o is not None]
    clauses: list[ColumnElement[bool]] = []
    if tenant_wide:
        clauses.append(within_scopes(tenant_wide, tenant_id=AppUser.tenant_id))
    if by_org:
        clauses.append(
            exists(
                select(RoleAssignment.id).where(
                    RoleAssignment.tenant_id == AppUser.tenant_id,  # type: ignore[arg-type]
                    RoleAssignment.user_id == AppUser.id,  # type: ignore[arg-type]
                    grants_within(by_org),
                )
            )
        )
    return or_(*clauses) if clauses else false()


def after(stmt: Select[Any], column: Any, cursor: uuid.UUID | None) -> Select[Any]:
    """Keyset paging: the rows after the cursor's id."""
    return stmt.where(column > cursor) if cursor else stmt
