"""Where an import may write: the organizations the caller sees (row-level security) and
those it may import into (Casbin); the rules that choose among them are
domain.members.placement."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from domain.members import OrgAccess, OrgRef, member_organization_error
from domain.shared import FieldError
from domain.tenancy import OrgKind
from infra.authz import org_domain
from infra.db.session import UnitOfWork
from infra.tenancy import visible_organizations


async def load_org_access(
    uow: UnitOfWork,
    may_import: Callable[[str], bool] | None,
    *,
    home_tenant_id: uuid.UUID | None,
    only_importable: Iterable[uuid.UUID] | None = None,
) -> OrgAccess:
    """Every organization row-level security lets the caller see; `may_import(domain)`
    (or the precomputed `only_importable` ids, for a job) says where it may import."""
    orgs = {
        o.id: OrgRef(o.id, o.tenant_id, o.name, o.kind, o.path, o.tenant_path)
        for o in await visible_organizations(uow)
    }
    if only_importable is not None:
        importable = set(only_importable) & set(orgs)
    elif may_import is None:
        importable = set(orgs)
    else:
        importable = {
            oid for oid, org in orgs.items() if may_import(org_domain(org.tenant_path, org.path))
        }
    return OrgAccess(orgs=orgs, importable=importable, home_tenant_id=home_tenant_id)


def organization_kind_errors(org: OrgRef) -> tuple[FieldError, ...]:
    """Why members cannot be imported into this organization (none if they can)."""
    error = member_organization_error(org.kind, OrgKind(org.kind).zh, "organization_name")
    return () if error is None else (error,)
