"""Manual items of a branch's star rating (创新项目, 作风 …), scored by the next level up.

The indicators measured from records are the registry's; any other code is a manual item,
capped at its weight when a run grades with it. The scorer must hold
`star_rating:score` over the branch's parent (the tenant, for a branch at the top), so a
branch never scores itself.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from domain.points import MESSAGES
from domain.shared import ErrorKind, Guard, not_found
from domain.tenancy import org_domain, tenant_domain
from infra.db.session import UnitOfWork
from infra.points.indicators import measurable
from infra.points.tables import StarScore
from infra.tenancy import organization_ref

BRANCH_KINDS = ("branch", "temporary_branch")


async def set_star_score(
    uow: UnitOfWork,
    guard: Guard,
    *,
    organization_id: uuid.UUID,
    period: str,
    indicator: str,
    score: Decimal,
    reason: str,
    by: uuid.UUID,
) -> StarScore:
    org = await organization_ref(uow, organization_id)
    if org is None:
        raise not_found("organization")
    parent = org.path.rpartition(".")[0]
    above = org_domain(org.tenant_path, parent) if parent else tenant_domain(org.tenant_path)
    if not guard.can("star_rating", "score", above):
        guard.require("star_rating", "score", org.domain)
        raise MESSAGES.error("star_score_next_level", ErrorKind.FORBIDDEN)
    if org.kind not in BRANCH_KINDS:
        raise MESSAGES.error(
            "star_score_invalid",
            errors=[MESSAGES.field("organization_id", "star_branch_only")],
        )
    if indicator in measurable():
        raise MESSAGES.error(
            "star_score_invalid",
            errors=[MESSAGES.field("indicator", "star_score_not_manual", indicator=indicator)],
        )
    if not reason.strip():
        raise MESSAGES.error(
            "star_score_invalid", errors=[MESSAGES.field("reason", "star_reason_missing")]
        )
    row = (
        await uow.session.execute(
            select(StarScore)
            .where(
                StarScore.tenant_id == org.tenant_id,  # type: ignore[arg-type]
                StarScore.organization_id == org.id,  # type: ignore[arg-type]
                StarScore.period == period,  # type: ignore[arg-type]
                StarScore.indicator == indicator,  # type: ignore[arg-type]
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        row = StarScore(
            tenant_id=org.tenant_id,
            organization_id=org.id,
            period=period,
            indicator=indicator,
            score=score,
            reason=reason.strip(),
            scored_by=by,
        )
    else:
        row.score, row.reason, row.scored_by = score, reason.strip(), by
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "star_rating.score",
        "organization",
        org.id,
        tenant_id=org.tenant_id,
        detail={"period": period, "indicator": indicator, "score": str(score)},
    )
    return row
