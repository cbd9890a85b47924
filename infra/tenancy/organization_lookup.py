"""Organizations as other contexts refer to them: name, kind, place in the tree, tenant.

Published through `infra.tenancy` so that no other context reads `organization` or
`tenant` itself. The `*_ids` selects are for embedding in another context's query
(one round trip); they yield (tenant_id, id) pairs. `ORGANIZATIONS` is the projection
another context joins to its own rows.

These are statements run in the caller's transaction, so row-level security applies as to
the table itself. Not a view: on PostgreSQL 14 (no `security_invoker`) a view reads with
its owner's rights, and the migration owner's policy sees every tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ScalarSelect, Select, Subquery, cast, literal, or_, select, text, tuple_
from sqlalchemy.sql.elements import ColumnElement

from infra.authz import org_domain
from infra.db.routing import tenant_filter
from infra.db.session import UnitOfWork
from infra.db.types import Ltree
from infra.tenancy.tables import Organization, Tenant


@dataclass(frozen=True, slots=True)
class OrganizationRef:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    kind: str
    path: str
    tenant_path: str
    established_on: date | None
    created_on: date
    """The local (Asia/Shanghai) day it was registered here."""
    approval_authority: bool
    """审批权限: a 基层党委 a tenant administrator lets approve admissions and 转正."""

    @property
    def domain(self) -> str:
        return org_domain(self.tenant_path, self.path)


_SELECT = (
    "SELECT o.id, o.tenant_id, o.name, o.kind, o.path::text, t.path::text, o.established_on,"
    " (o.created_at AT TIME ZONE 'Asia/Shanghai')::date, o.approval_authority"
    " FROM organization o JOIN tenant t ON t.id = o.tenant_id"
)


def _ref(row: Any) -> OrganizationRef:
    return OrganizationRef(*row)


ORGANIZATIONS: Subquery = select(
    Organization.tenant_id,
    Organization.id,
    Organization.kind,
    Organization.name,
    Organization.path,
).subquery("organization_directory")
"""(tenant_id, id, kind, name, path) of each organization, for joining in another
context's statement; PostgreSQL flattens it, so the plan is that of a join on the table."""


async def organization_ref(
    uow: UnitOfWork, organization_id: uuid.UUID, *, tenant_id: uuid.UUID | None = None
) -> OrganizationRef | None:
    """One organization the caller can see, or None; with `tenant_id` (when the caller
    knows it, from a row that points here) a primary-key lookup."""
    if tenant_id is None:
        named, params = tenant_filter(uow.session, "o.tenant_id")
        sql = _SELECT + " WHERE o.id = :o AND " + named
        params["o"] = organization_id
    else:
        sql = _SELECT + " WHERE o.tenant_id = :t AND o.id = :o"
        params = {"o": organization_id, "t": tenant_id}
    row = (await uow.session.execute(text(sql), params)).first()
    return _ref(row) if row else None


async def organization_refs(
    uow: UnitOfWork, organization_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OrganizationRef]:
    """Those of the organizations the caller can see, by id, in name order."""
    if not organization_ids:
        return {}
    named, params = tenant_filter(uow.session, "o.tenant_id")
    rows = (
        await uow.session.execute(
            text(_SELECT + " WHERE o.id = ANY(:ids) AND " + named + " ORDER BY o.name"),
            {**params, "ids": list(organization_ids)},
        )
    ).all()
    return {r[0]: _ref(r) for r in rows}


async def organization_names(
    uow: UnitOfWork, keys: Iterable[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], str]:
    """Names of the visible organizations among (tenant_id, id) `keys`, in one statement
    (a page of another context's rows names its organizations this way)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = await uow.session.execute(
        select(Organization.tenant_id, Organization.id, Organization.name).where(
            tuple_(Organization.tenant_id, Organization.id).in_(wanted)
        )
    )
    return {(r[0], r[1]): r[2] for r in rows}


async def visible_organizations(uow: UnitOfWork) -> list[OrganizationRef]:
    """Every organization row-level security lets the caller see."""
    named, params = tenant_filter(uow.session, "o.tenant_id")
    rows = (await uow.session.execute(text(_SELECT + " WHERE " + named), params)).all()
    return [_ref(r) for r in rows]


async def tenant_path_of(uow: UnitOfWork, tenant_id: uuid.UUID) -> str | None:
    path: str | None = (
        await uow.session.execute(
            text("SELECT path::text FROM tenant WHERE id = :t"), {"t": tenant_id}
        )
    ).scalar_one_or_none()
    return path


async def branches_within(
    uow: UnitOfWork,
    *,
    organization: OrganizationRef | None = None,
    tenant_path: str | None = None,
    first: date,
    last: date,
) -> list[OrganizationRef]:
    """Branches (and temporary branches) existing at some time between `first` and `last`,
    in an organization's subtree or else a tenant subtree; in tree order."""
    if organization is not None:
        where = "o.tenant_id = :root_tenant AND o.path <@ CAST(:root_path AS ltree)"
        params: dict[str, Any] = {
            "root_tenant": organization.tenant_id,
            "root_path": organization.path,
        }
    else:
        where, params = tenant_filter(uow.session, "o.tenant_id")
        where += " AND t.path <@ CAST(:tpath AS ltree)"
        params["tpath"] = tenant_path
    # Fixed clauses only; every value is a bound parameter.
    sql = (
        _SELECT
        + " WHERE o.kind IN ('branch', 'temporary_branch') AND "
        + where
        + " AND (o.established_on IS NULL OR o.established_on <= :last)"
        " AND (o.end_date IS NULL OR o.end_date >= :first)"
        " ORDER BY o.path"
    )
    rows = (await uow.session.execute(text(sql), {**params, "first": first, "last": last})).all()
    return [_ref(r) for r in rows]


def _ltree(path: str) -> Any:
    return cast(literal(path), Ltree)


def _escape_like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def organization_ids_in_domains(prefixes: Sequence[str]) -> Select[Any]:
    """Organizations whose Casbin domain starts with one of `prefixes` (a role's subtree)."""
    domain: ColumnElement[bool] = text(
        "(replace(tenant.path::text, '.', '/') || '/' || replace(organization.path::text, '.', '/')"
        " || '/') LIKE ANY(CAST(:org_domain_prefixes AS text[]))"
    ).bindparams(org_domain_prefixes=[_escape_like(p) for p in prefixes])  # type: ignore[assignment]
    return (
        select(Organization.tenant_id, Organization.id)
        .join(Tenant, Tenant.id == Organization.tenant_id)  # type: ignore[arg-type]
        .where(domain)
    )


def organization_ids_above(tenant_id: uuid.UUID, path: str) -> Select[Any]:
    """The organization at `path` and its ancestors in one tenant."""
    return select(Organization.tenant_id, Organization.id).where(
        Organization.tenant_id == tenant_id,  # type: ignore[arg-type]
        Organization.path.op("@>")(_ltree(path)),  # type: ignore[attr-defined]
    )


def organization_ids_under(tenant_id: uuid.UUID, *paths: str) -> Select[Any]:
    """The organizations at `paths` and their whole subtrees in one tenant."""
    return select(Organization.tenant_id, Organization.id).where(
        Organization.tenant_id == tenant_id,  # type: ignore[arg-type]
        or_(*(Organization.path.op("<@")(_ltree(p)) for p in paths)),  # type: ignore[attr-defined]
    )


def organization_path(tenant_id: Any, organization_id: Any) -> ScalarSelect[Any]:
    """The path (as text) of the organization two columns of another table name."""
    return (
        select(Organization.path)
        .where(Organization.tenant_id == tenant_id, Organization.id == organization_id)  # type: ignore[arg-type]
        .scalar_subquery()
    )
