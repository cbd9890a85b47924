"""Appeals against draft star ratings (申诉): filed by the rated member during the notice
period, decided by the branch with a reason; an upheld appeal changes the stars the
rating stands with (the drafted stars stay on record)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from domain.points import check_appeal, check_decision, rating_status
from domain.shared import Guard, new_id, not_found
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.members import member_of_user
from infra.platform.outbox import emit
from infra.points.star_reading import get_rating
from infra.points.tables import StarAppeal, StarRating
from infra.points.visibility import Reader
from infra.tenancy import organization_ref

APPEALED = "star_rating.appealed"


async def file_appeal(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    rating_id: uuid.UUID,
    *,
    reason: str,
    now: datetime,
) -> StarAppeal:
    seen = await get_rating(uow, guard, reader, rating_id, now)
    rating = await locked(uow.session, seen.rating)
    check_appeal(
        status=rating_status(
            published_at=rating.publish_at,
            stands_at=rating.stands_at,
            appeal_open=seen.appeal is not None and seen.appeal.status == "open",
            now=now,
        ),
        own=seen.own and rating.subject == "member",
        appealed_before=seen.appeal is not None,
        reason=reason,
    )
    appeal = StarAppeal(
        tenant_id=rating.tenant_id,
        id=new_id(),
        rating_id=rating.id,
        reason=reason.strip(),
        filed_by=reader.user_id,
        status="open",
        stars_before=rating.stars,
    )
    uow.session.add(appeal)
    await uow.session.flush()
    uow.audit("star_rating.appeal", "star_rating", rating.id, tenant_id=rating.tenant_id)
    emit(
        uow,
        tenant_id=rating.tenant_id,
        topic=APPEALED,
        aggregate_type="star_rating",
        aggregate_id=rating.id,
        payload={
            "rating_id": str(rating.id),
            "appeal_id": str(appeal.id),
            "member_id": str(rating.subject_id),
            "organization_id": str(rating.organization_id),
            "period": rating.period,
            "stars": rating.stars,
        },
        organization_id=rating.organization_id,
    )
    return appeal


async def decide_appeal(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    rating_id: uuid.UUID,
    *,
    upheld: bool,
    stars: int | None,
    reason: str,
    now: datetime,
) -> tuple[StarRating, StarAppeal]:
    seen = await get_rating(uow, guard, reader, rating_id, now)
    org = await organization_ref(uow, seen.rating.organization_id, tenant_id=seen.rating.tenant_id)
    if org is None:
        raise not_found("star_rating")
    guard.require("star_rating", "decide", org.domain)
    mine = await member_of_user(uow, reader.tenant_id, reader.user_id)
    appeal = (
        await uow.session.execute(
            select(StarAppeal).where(
                StarAppeal.tenant_id == seen.rating.tenant_id,  # type: ignore[arg-type]
                StarAppeal.rating_id == seen.rating.id,  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if appeal is not None:
        appeal = await locked(uow.session, appeal)
    check_decision(
        appeal_open=appeal is not None and appeal.status == "open",
        own=mine is not None and mine.id == seen.rating.subject_id,
        upheld=upheld,
        stars=stars,
        reason=reason,
    )
    if appeal is None:
        raise not_found("star_appeal")
    rating = await locked(uow.session, seen.rating)
    appeal.status = "upheld" if upheld else "dismissed"
    appeal.stars_after = stars if upheld and stars is not None else rating.stars
    appeal.decided_by, appeal.decided_at = reader.user_id, now
    appeal.decision_reason = reason.strip()
    rating.stars = appeal.stars_after
    uow.session.add_all([appeal, rating])
    await uow.session.flush()
    uow.audit(
        "star_rating.appeal_decide",
        "star_rating",
        rating.id,
        tenant_id=rating.tenant_id,
        detail={"outcome": appeal.status, "stars": rating.stars},
    )
    return rating, appeal
