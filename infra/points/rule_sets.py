"""Point rule sets (积分规则): writing a new version, reading the versions in force.

A tenant's versions are its own, or else its nearest ancestor's
(`zhibu_point_rule_versions`), so a county without a scheme earns under the city's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, text

from domain.activities import ActivityKind
from domain.points import (
    Exclusion,
    ExclusionKind,
    MemberClass,
    PeriodKind,
    RuleItem,
    RuleSet,
    RuleSetDraft,
    Source,
    validate_rule_set,
)
from domain.shared import Guard, new_id, not_found, require_scopes
from domain.tenancy import tenant_domain
from infra.db.session import UnitOfWork
from infra.points.tables import PointRuleVersion
from infra.tenancy import TenantRef, tenant_ref


@dataclass(frozen=True, slots=True)
class StoredRuleSet:
    """A version as stored: whose it is, its id, and the rules."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    rules: RuleSet


def _item_json(item: RuleItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "points": item.points,
        "source": item.source.value,
        "activity_kind": item.activity_kind,
        "category": item.category,
        "cap_per_period": item.cap_per_period,
        "classes": sorted(item.classes),
    }


def _exclusion_json(ex: Exclusion) -> dict[str, Any]:
    return {"kind": ex.kind.value, "years": ex.years, "condition": ex.condition}


def rules_of(row: Any) -> RuleSet:
    """The domain's rule set from a stored row (a mapped row or the function's)."""
    return RuleSet(
        version=row.version,
        effective_from=row.effective_from,
        base_score=row.base_score,
        period=PeriodKind(row.period),
        classes=tuple(MemberClass(c["code"], c["name"]) for c in row.classes),
        items=tuple(
            RuleItem(
                code=i["code"],
                name=i["name"],
                points=i["points"],
                source=Source(i["source"]),
                activity_kind=i["activity_kind"],
                category=i["category"],
                cap_per_period=i["cap_per_period"],
                classes=frozenset(i["classes"]),
            )
            for i in row.items
        ),
        exclusions=tuple(
            Exclusion(ExclusionKind(e["kind"]), e["years"], e["condition"]) for e in row.exclusions
        ),
    )


async def versions_in_force(uow: UnitOfWork, tenant_id: uuid.UUID) -> list[StoredRuleSet]:
    """The tenant's versions, or its nearest ancestor's, oldest first."""
    rows = await uow.session.execute(
        text("SELECT * FROM zhibu_point_rule_versions(:t)"), {"t": tenant_id}
    )
    return [StoredRuleSet(r.id, r.tenant_id, rules_of(r)) for r in rows]


def _reads(guard: Guard, tenant_path: str) -> bool:
    """The caller holds point_rule:read somewhere in the tenant or above it: a member of a
    branch reads the scheme they earn under."""
    return any(
        tenant_path == held or tenant_path.startswith(held + ".")
        for held, _ in require_scopes(guard, "point_rule", "read")
    )


async def _tenant(uow: UnitOfWork, tenant_id: uuid.UUID) -> TenantRef:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    return tenant


async def create_version(
    uow: UnitOfWork, guard: Guard, *, tenant_id: uuid.UUID, draft: RuleSetDraft, by: uuid.UUID
) -> StoredRuleSet:
    """The tenant's next version, valid against its own earlier ones."""
    tenant = await _tenant(uow, tenant_id)
    guard.require("point_rule", "write", tenant_domain(tenant.path))
    # versions of one tenant are numbered in turn: writers of one tenant queue here
    await uow.session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('point_rules:' || :t))"), {"t": str(tenant.id)}
    )
    own = (
        await uow.session.execute(
            select(PointRuleVersion).where(PointRuleVersion.tenant_id == tenant.id)  # type: ignore[arg-type]
        )
    ).scalars()
    rules = validate_rule_set(
        draft,
        activity_kinds={k.value for k in ActivityKind},
        existing=[rules_of(r) for r in own],
    )
    row = PointRuleVersion(
        tenant_id=tenant.id,
        id=new_id(),
        version=rules.version,
        effective_from=rules.effective_from,
        base_score=rules.base_score,
        period=rules.period.value,
        classes=[{"code": c.code, "name": c.name} for c in rules.classes],
        items=[_item_json(i) for i in rules.items],
        exclusions=[_exclusion_json(e) for e in rules.exclusions],
        created_by=by,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "point_rule.create",
        "point_rule",
        row.id,
        tenant_id=tenant.id,
        detail={"version": rules.version, "effective_from": rules.effective_from.isoformat()},
    )
    return StoredRuleSet(row.id, row.tenant_id, rules)


async def list_versions(
    uow: UnitOfWork, guard: Guard, *, tenant_id: uuid.UUID, limit: int, after: uuid.UUID | None
) -> list[StoredRuleSet]:
    """The versions a tenant earns under (inherited ones included), oldest first."""
    tenant = await _tenant(uow, tenant_id)
    if not _reads(guard, tenant.path):
        raise not_found("tenant")
    found = await versions_in_force(uow, tenant.id)
    return [v for v in found if after is None or v.id > after][: limit + 1]


async def get_version(uow: UnitOfWork, guard: Guard, version_id: uuid.UUID) -> StoredRuleSet:
    row = (
        await uow.session.execute(
            select(PointRuleVersion).where(PointRuleVersion.id == version_id)  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if row is None:
        raise not_found("point_rule")
    if not _reads(guard, (await _tenant(uow, row.tenant_id)).path):
        raise not_found("point_rule")
    return StoredRuleSet(row.id, row.tenant_id, rules_of(row))


def version_on_day(versions: list[StoredRuleSet], day: date) -> StoredRuleSet | None:
    started = [v for v in versions if v.rules.effective_from <= day]
    return max(started, key=lambda v: v.rules.effective_from, default=None)
