"""The indicator registry of branch star ratings (星级党支部).

An indicator measures each branch of a tenant over a period as a value from 0 to 1; a
scheme weighs the registered ones it names. The registry is open: a context that comes
later (dues collection rate, rectifications closed) registers its measure by a code from
its own module or the composition root, and this module and the rating engine do not
change. The three below ask activities and evidence through their public modules.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from infra.activities import attendance_rates, held_activities, meeting_compliance_rates
from infra.db.session import UnitOfWork
from infra.evidence import documented_activities
from infra.tenancy import OrganizationRef


@dataclass(frozen=True, slots=True)
class Branches:
    """What a measure is asked about: one tenant's branches over a date range."""

    tenant_id: uuid.UUID
    orgs: Sequence[OrganizationRef]
    first: date
    last: date
    today: date

    @property
    def ids(self) -> list[uuid.UUID]:
        return [o.id for o in self.orgs]


Measure = Callable[[UnitOfWork, Branches], Awaitable[Mapping[uuid.UUID, float]]]

_REGISTRY: dict[str, Measure] = {}


def register_indicator(code: str, measure: Measure) -> None:
    """Make `code` available to schemes; a code is registered once."""
    if code in _REGISTRY:
        raise ValueError(f"indicator {code} is registered already")
    _REGISTRY[code] = measure


def measurable() -> frozenset[str]:
    return frozenset(_REGISTRY)


async def measure(uow: UnitOfWork, code: str, branches: Branches) -> Mapping[uuid.UUID, float]:
    return await _REGISTRY[code](uow, branches)


async def _meeting_compliance(uow: UnitOfWork, b: Branches) -> Mapping[uuid.UUID, float]:
    return await meeting_compliance_rates(uow, b.orgs, b.first, b.last, b.today)


async def _attendance(uow: UnitOfWork, b: Branches) -> Mapping[uuid.UUID, float]:
    return await attendance_rates(uow, b.tenant_id, b.ids, b.first, b.last)


async def _evidence_completeness(uow: UnitOfWork, b: Branches) -> Mapping[uuid.UUID, float]:
    """The share of the activities a branch held that have evidence attached: one count
    of activities held and of those documented, per branch, joining what activities and
    evidence publish."""
    held = held_activities(b.tenant_id, b.first, b.last)
    documented = documented_activities(b.tenant_id)
    rows = await uow.session.execute(
        select(
            held.c.organization_id,
            func.count().label("held"),
            func.count(documented.c.activity_id).label("documented"),
        )
        .select_from(held.outerjoin(documented, documented.c.activity_id == held.c.activity_id))
        .where(held.c.organization_id == any_(bindparam("ids", b.ids, ARRAY(UUID))))
        .group_by(held.c.organization_id)
    )
    return {r.organization_id: r.documented / r.held for r in rows}


register_indicator("meeting_compliance", _meeting_compliance)
register_indicator("attendance_rate", _attendance)
register_indicator("evidence_completeness", _evidence_completeness)
