"""Where an import may write: the organizations the caller sees and may import into, and
which of them a row's branch name means."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from domain.members import (
    RowRefusal,
)
from domain.shared import DomainError, FieldError, Message
from infra.authz import org_domain
from infra.db.session import UnitOfWork
from infra.members.records import (
    check_member_organization,
)
from infra.tenancy.tables import Organization, Tenant


@dataclass(frozen=True, slots=True)
class OrgRef:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    kind: str
    path: str
    tenant_path: str

    @property
    def domain(self) -> str:
        return org_domain(self.tenant_path, self.path)


@dataclass(slots=True)
class OrgAccess:
    """Organizations the caller can see, and those it may import members into."""

    orgs: dict[uuid.UUID, OrgRef]
    importable: set[uuid.UUID]
    home_tenant_id: uuid.UUID | None = None
    by_name: dict[str, list[OrgRef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for org in self.orgs.values():
            self.by_name.setdefault(_org_key(org.name), []).append(org)


def _org_key(name: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", name).split())


async def load_org_access(
    uow: UnitOfWork,
    may_import: Callable[[str], bool] | None,
    *,
    home_tenant_id: uuid.UUID | None,
    only_importable: Iterable[uuid.UUID] | None = None,
) -> OrgAccess:
    """Every organization row-level security lets the caller see; `may_import(domain)`
    (or the precomputed `only_importable` ids, for a job) says where it may import."""
    rows = (
        await uow.session.execute(
            select(
                Organization.id,
                Organization.tenant_id,
                Organization.name,
                Organization.kind,
                Organization.path,
                Tenant.path,
            ).join(Tenant, Tenant.id == Organization.tenant_id)  # type: ignore[arg-type]
        )
    ).all()
    orgs = {r[0]: OrgRef(r[0], r[1], r[2], r[3], str(r[4]), str(r[5])) for r in rows}
    if only_importable is not None:
        importable = set(only_importable) & set(orgs)
    elif may_import is None:
        importable = set(orgs)
    else:
        importable = {oid for oid, org in orgs.items() if may_import(org.domain)}
    return OrgAccess(orgs=orgs, importable=importable, home_tenant_id=home_tenant_id)


def _refusal(row: int, field_name: str, code: str, zh: str, en: str) -> RowRefusal:
    return RowRefusal(row, (FieldError(field_name, code, Message(zh, en)),))


def resolve_org(
    access: OrgAccess, name: str, row: int, default: OrgRef | None
) -> OrgRef | RowRefusal:
    candidates = access.by_name.get(_org_key(name), [])
    if not candidates:
        return _refusal(
            row,
            "organization_name",
            "unknown_organization",
            f"找不到党组织“{name}”，或您无权查看",
            f"No organization named '{name}' is visible to you",
        )
    allowed = [org for org in candidates if org.id in access.importable]
    if not allowed:
        return _refusal(
            row,
            "organization_name",
            "organization_forbidden",
            f"您无权向“{name}”导入党员",
            f"You may not import members into '{name}'",
        )
    if len(allowed) > 1 and default is not None:
        under = [o for o in allowed if o.tenant_id == default.tenant_id]
        under = [
            o for o in under if o.path == default.path or o.path.startswith(default.path + ".")
        ] or under
        allowed = under or allowed
    if len(allowed) > 1 and access.home_tenant_id is not None:
        allowed = [o for o in allowed if o.tenant_id == access.home_tenant_id] or allowed
    if len(allowed) > 1:
        return _refusal(
            row,
            "organization_name",
            "ambiguous_organization",
            f"有多个名为“{name}”的党组织，请指定导入的目标党组织（organization_id）",
            f"Several organizations are named '{name}'; choose the target organization",
        )
    return allowed[0]


def organization_kind_errors(org: OrgRef) -> tuple[FieldError, ...]:
    try:
        check_member_organization(organization_row(org), "organization_name")
    except DomainError as error:
        return tuple(error.errors)
    return ()


def organization_row(org: OrgRef) -> Organization:
    return Organization(
        tenant_id=org.tenant_id, id=org.id, kind=org.kind, name=org.name, path=org.path
    )
