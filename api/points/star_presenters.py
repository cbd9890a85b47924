"""Star ratings as the API shows them."""

from __future__ import annotations

from datetime import datetime

from api.points import star_schemas as s
from domain.points import (
    Band,
    Indicator,
    StarMethod,
    StarScheme,
    movement,
    rating_status,
    scheme_to_json,
)
from infra.points import SeenRating, StarAppeal, StarRun, StoredScheme


def scheme_of(data: s.SchemeIn) -> StarScheme:
    return StarScheme(
        method=StarMethod(data.method),
        bands=tuple(Band(b.stars, b.min_score, b.share) for b in data.bands),
        notice_days=data.notice_days,
        five_star_requires=data.five_star_requires,
        indicators=tuple(Indicator(i.code, i.weight, i.manual) for i in data.indicators),
        excluded_classes=tuple(data.excluded_classes),
    )


def run_out(run: StarRun) -> s.RunOut:
    return s.RunOut(
        id=run.id,
        tenant_id=run.tenant_id,
        subject=run.subject,
        period=run.period,
        status=run.status,
        job_id=run.job_id,
        publish_at=run.publish_at,
        stands_at=run.stands_at,
        rated=run.rated,
        distribution=run.distribution,
        scheme=run.scheme,
        created_at=run.created_at,
    )


def appeal_out(a: StarAppeal) -> s.AppealOut:
    return s.AppealOut(
        id=a.id,
        rating_id=a.rating_id,
        reason=a.reason,
        filed_at=a.filed_at,
        status=a.status,
        stars_before=a.stars_before,
        stars_after=a.stars_after,
        decided_at=a.decided_at,
        decision_reason=a.decision_reason,
    )


def rating_out(seen: SeenRating, now: datetime) -> s.RatingOut:
    r = seen.rating
    status = rating_status(
        published_at=r.publish_at,
        stands_at=r.stands_at,
        appeal_open=seen.appeal is not None and seen.appeal.status == "open",
        now=now,
    )
    return s.RatingOut(
        id=r.id,
        run_id=r.run_id,
        tenant_id=r.tenant_id,
        subject=r.subject,
        subject_id=r.subject_id,
        organization_id=r.organization_id,
        period=r.period,
        score=float(r.score),
        stars=r.stars,
        drafted_stars=r.drafted_stars,
        previous_stars=r.previous_stars,
        movement=movement(r.previous_stars, r.stars),
        rank=r.rank if seen.rank_shown else None,
        status=status.value,
        publish_at=r.publish_at,
        stands_at=r.stands_at,
        breakdown=r.breakdown,
        appeal=appeal_out(seen.appeal) if seen.appeal else None,
    )


def stored_scheme_out(stored: StoredScheme) -> s.StarSchemeOut:
    return s.StarSchemeOut(
        tenant_id=stored.tenant_id,
        subject=stored.subject.value,
        version=stored.version,
        scheme=scheme_to_json(stored.scheme),
        created_by=stored.created_by,
        created_at=stored.created_at,
    )
