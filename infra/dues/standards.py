"""Dues standards (交纳标准): the versions in force for a tenant, publishing a new one,
and the calculator.

A tenant follows its own versions, else its nearest ancestor's, else the built-in 2008
standard (`domain.dues.in_force`). Ancestors' versions are read through
`zhibu_dues_standards_chain` (row-level security shows a county nothing above it). That
function reads as another role, so on Citus it is called before any write of the
transaction (the bill run reads it in a transaction of its own).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from domain.dues import (
    MESSAGES,
    NATIONAL_2008,
    Assessment,
    DuesCategory,
    DuesStandard,
    Rounding,
    check_standard,
    in_force,
    monthly_dues,
    standard_from_rules,
)
from domain.shared import ErrorKind, Guard, conflict, new_id, not_found
from domain.tenancy import tenant_domain
from infra.db.session import UnitOfWork
from infra.tenancy import effective_settings_of, tenant_ref

_CHAIN = text(
    "SELECT depth, standard_tenant, standard_id, standard_name, standard_from, standard_rules"
    " FROM zhibu_dues_standards_chain(:t)"
)


@dataclass(frozen=True, slots=True)
class PublishedStandard:
    """A version as listed: whose it is and whether it is the one in force."""

    standard: DuesStandard
    tenant_id: uuid.UUID | None  # None: the built-in national standard
    in_force: bool


async def _chain_rows(uow: UnitOfWork, tenant_id: uuid.UUID) -> list[Any]:
    return list((await uow.session.execute(_CHAIN, {"t": tenant_id})).all())


def _by_tenant(rows: Sequence[Any]) -> list[list[DuesStandard]]:
    by_depth: dict[int, list[DuesStandard]] = {}
    for depth, _tenant, standard_id, name, effective_from, rules in rows:
        by_depth.setdefault(depth, []).append(
            standard_from_rules(standard_id, name, effective_from, rules)
        )
    return [by_depth[d] for d in sorted(by_depth)]


async def standards_chain(uow: UnitOfWork, tenant_id: uuid.UUID) -> list[list[DuesStandard]]:
    """The versions of the tenant and its ancestors, nearest tenant first."""
    return _by_tenant(await _chain_rows(uow, tenant_id))


async def _tenant_domain(uow: UnitOfWork, tenant_id: uuid.UUID) -> str:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    return tenant_domain(tenant.path)


async def list_standards(
    uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID, *, on: date
) -> list[PublishedStandard]:
    """Every version that applies or applied to the tenant, the built-in one first, and
    which is in force on `on`."""
    guard.require("dues", "read", await _tenant_domain(uow, tenant_id))
    rows = await _chain_rows(uow, tenant_id)
    current = in_force(_by_tenant(rows), on)
    listed = [PublishedStandard(NATIONAL_2008, None, current is NATIONAL_2008)]
    for _depth, owner, standard_id, name, effective_from, rules in sorted(rows, key=lambda r: r[2]):
        standard = standard_from_rules(standard_id, name, effective_from, rules)
        listed.append(PublishedStandard(standard, owner, standard.id == current.id))
    return listed


async def publish_standard(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    name: str,
    effective_from: date,
    brackets: Mapping[str, Sequence[Mapping[str, Any]]],
    fixed_fen: Mapping[str, int],
    published_by: uuid.UUID,
) -> PublishedStandard:
    """A new version for a tenant and its subtree; earlier versions stay as they were."""
    domain = await _tenant_domain(uow, tenant_id)
    if not guard.can("dues", "configure", domain):
        raise MESSAGES.error("dues_standard_forbidden", ErrorKind.FORBIDDEN, code="forbidden")
    typed, fixed = check_standard(brackets, fixed_fen)
    standard = DuesStandard(new_id(), name, effective_from, typed, fixed)
    # A savepoint, so that a clash is answered as one and the transaction stays usable.
    try:
        async with uow.session.begin_nested():
            await uow.session.execute(
                text(
                    "INSERT INTO dues_standard"
                    " (tenant_id, id, name, effective_from, rules, created_by)"
                    " VALUES (:t, :id, :name, :from, CAST(:rules AS jsonb), :by)"
                ),
                {
                    "t": tenant_id,
                    "id": standard.id,
                    "name": name,
                    "from": effective_from,
                    "rules": json.dumps(standard.rules(), ensure_ascii=False),
                    "by": published_by,
                },
            )
    except IntegrityError:
        raise conflict(MESSAGES, "dues_standard_exists", "effective_from") from None
    uow.audit(
        "dues_standard.publish",
        "dues_standard",
        standard.id,
        tenant_id=tenant_id,
        detail={"name": name, "effective_from": effective_from.isoformat()},
    )
    return PublishedStandard(standard, tenant_id, False)


@dataclass(frozen=True, slots=True)
class Calculation:
    assessment: Assessment
    rounding: Rounding


async def calculate(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    category: DuesCategory,
    income_fen: int | None,
    on: date,
) -> Calculation:
    """The monthly dues under the tenant's standard in force on `on` and its rounding."""
    standard = in_force(await standards_chain(uow, tenant_id), on)
    settings = await effective_settings_of(uow, tenant_id)
    rounding = Rounding(settings.dues_rounding)
    return Calculation(monthly_dues(standard, category, income_fen, rounding), rounding)
