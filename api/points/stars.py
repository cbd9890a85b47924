"""Star ratings (星级评定): runs as jobs, ratings with their breakdown, appeals, the
distribution per organization, and the next level's manual scores of branches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from litestar import get, post, put
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.admission import PERSON_ONLY
from api.context import Ctx
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from api.points import star_schemas as s
from api.points.ledger import reader_of
from api.points.star_presenters import appeal_out, rating_out, run_out, scheme_of
from domain.points import Subject, check_period
from domain.shared.times import DISPLAY_ZONE
from infra.points import (
    decide_appeal,
    file_appeal,
    get_rating,
    get_run,
    list_ratings,
    queue_star_run,
    set_star_score,
    star_distribution,
)

TAGS = ["Points"]
PeriodParam = Annotated[
    str | None,
    Parameter(
        pattern=s.PERIOD_PATTERN,
        description="期间：默认为今年 Period (default: this year): 2026, 2026-Q2 or 2026-05",
        examples=[Example(value="2026")],
    ),
]


@post(
    "/star-ratings",
    summary="发起星级评定 Run a star rating",
    description=(
        "以后台任务评定一个租户的党员或党支部在某期间的星级（进度见 /jobs/{job_id}）；"
        "结果先作为草稿公示（默认 5 天），公示期内党员可申诉，期满生效。"
    ),
    tags=TAGS,
    operation_id="createStarRatingRun",
    status_code=202,
    responses=WRITE,
)
async def create_star_rating_run(ctx: Ctx, data: s.RunIn) -> s.RunOut:
    subject = Subject(data.subject)
    now = datetime.now(UTC)
    async with ctx.uow() as uow:
        run = await queue_star_run(
            uow,
            ctx,
            tenant_id=data.tenant_id or ctx.principal.tenant_id,
            subject=subject,
            period=check_period(data.period),
            scheme=scheme_of(data.scheme) if data.scheme else None,
            publish_at=data.publish_at or now,
            created_by=ctx.principal.user_id,
            home_tenant_id=ctx.principal.tenant_id,
        )
    return run_out(run)


@get(
    "/star-rating-runs/{star_run_id:uuid}",
    summary="星级评定详情 Get a rating run",
    tags=TAGS,
    operation_id="getStarRatingRun",
    responses=READ,
)
async def get_star_rating_run(ctx: Ctx, star_run_id: uuid.UUID) -> s.RunOut:
    async with ctx.uow() as uow:
        run = await get_run(uow, ctx, star_run_id)
    return run_out(run)


@get(
    "/star-ratings",
    summary="星级列表 List star ratings",
    description=(
        "本人的（公示开始后）与有权查看的组织的；他人的星级只在租户开启排名时对同组织党员可见。"
        "按 subject_id 过滤即该党员或党支部的历次评定。"
    ),
    tags=TAGS,
    operation_id="listStarRatings",
    responses=LIST,
)
async def list_star_ratings(
    ctx: Ctx,
    run_id: Annotated[uuid.UUID | None, Parameter(description="评定 Run")] = None,
    subject_id: Annotated[
        uuid.UUID | None, Parameter(description="党员或党支部 Member or branch")
    ] = None,
    period: Annotated[
        str | None,
        Parameter(
            pattern=s.PERIOD_PATTERN, description="期间 Period", examples=[Example(value="2026")]
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[s.RatingOut]:
    now = datetime.now(UTC)
    async with ctx.uow() as uow:
        found = await list_ratings(
            uow,
            ctx,
            reader_of(ctx),
            now=now,
            run_id=run_id,
            subject_id=subject_id,
            period=period,
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([rating_out(r, now) for r in found], limit, lambda r: r.id)


@get(
    "/star-ratings/{star_rating_id:uuid}",
    summary="星级详情及得分构成 Get a rating and its breakdown",
    tags=TAGS,
    operation_id="getStarRating",
    responses=READ,
)
async def get_star_rating(ctx: Ctx, star_rating_id: uuid.UUID) -> s.RatingOut:
    now = datetime.now(UTC)
    async with ctx.uow() as uow:
        found = await get_rating(uow, ctx, reader_of(ctx), star_rating_id, now)
    return rating_out(found, now)


@post(
    "/star-ratings/{star_rating_id:uuid}/appeals",
    summary="对星级提出申诉 Appeal a draft rating",
    description="只有被评定的党员本人可在公示期内申诉一次；由支部决定。",
    tags=TAGS,
    operation_id="appealStarRating",
    responses=WRITE,
    opt={PERSON_ONLY: True},
)
async def appeal_star_rating(ctx: Ctx, star_rating_id: uuid.UUID, data: s.AppealIn) -> s.AppealOut:
    async with ctx.uow() as uow:
        appeal = await file_appeal(
            uow, ctx, reader_of(ctx), star_rating_id, reason=data.reason, now=datetime.now(UTC)
        )
    return appeal_out(appeal)


@post(
    "/star-ratings/{star_rating_id:uuid}/appeals/decision",
    summary="决定申诉 Decide an appeal",
    description="由党员所在支部决定并写明理由；支持申诉时给出改定的星级。",
    tags=TAGS,
    operation_id="decideStarRatingAppeal",
    status_code=200,
    responses=WRITE,
)
async def decide_star_rating_appeal(
    ctx: Ctx, star_rating_id: uuid.UUID, data: s.AppealDecisionIn
) -> s.RatingOut:
    now = datetime.now(UTC)
    async with ctx.uow() as uow:
        await decide_appeal(
            uow,
            ctx,
            reader_of(ctx),
            star_rating_id,
            upheld=data.outcome == "upheld",
            stars=data.stars,
            reason=data.reason,
            now=now,
        )
        found = await get_rating(uow, ctx, reader_of(ctx), star_rating_id, now)
    return rating_out(found, now)


@get(
    "/star-rating-distribution",
    summary="星级分布 Stars per organization",
    description="只给人数，不给个人；上级租户可看下级租户的。",
    tags=TAGS,
    operation_id="getStarRatingDistribution",
    responses=LIST,
)
async def get_star_rating_distribution(
    ctx: Ctx,
    period: PeriodParam = None,
    subject: Annotated[
        Literal["member", "branch"], Parameter(description="党员或党支部 Members or branches")
    ] = "member",
    tenant_id: Annotated[uuid.UUID | None, Parameter(description="只看该租户 One tenant")] = None,
) -> s.DistributionOut:
    period = check_period(period or str(datetime.now(DISPLAY_ZONE).year))
    async with ctx.uow() as uow:
        found = await star_distribution(
            uow,
            ctx,
            reader_of(ctx),
            now=datetime.now(UTC),
            subject=subject,
            period=period,
            tenant_id=tenant_id,
        )
    return s.DistributionOut(
        subject=subject,
        period=period,
        organizations=[
            s.OrgDistributionOut(
                tenant_id=d.tenant_id, organization_id=d.organization_id, stars=d.stars
            )
            for d in found
        ],
    )


@put(
    "/star-scores",
    summary="为党支部人工项评分 Score a branch's manual item",
    description="由上一级党组织评分（如创新项目）；评定时以方案中该项分值为上限。",
    tags=TAGS,
    operation_id="setStarScore",
    responses=WRITE,
)
async def set_star_score_(ctx: Ctx, data: s.ScoreIn) -> s.ScoreOut:
    async with ctx.uow() as uow:
        row = await set_star_score(
            uow,
            ctx,
            organization_id=data.organization_id,
            period=check_period(data.period),
            indicator=data.indicator,
            score=Decimal(str(data.score)),
            reason=data.reason,
            by=ctx.principal.user_id,
        )
    return s.ScoreOut(
        organization_id=row.organization_id,
        period=row.period,
        indicator=row.indicator,
        score=float(row.score),
        reason=row.reason,
        scored_by=row.scored_by,
        scored_at=row.scored_at,
    )


ROUTES = [
    create_star_rating_run,
    get_star_rating_run,
    list_star_ratings,
    get_star_rating,
    appeal_star_rating,
    decide_star_rating_appeal,
    get_star_rating_distribution,
    set_star_score_,
]
