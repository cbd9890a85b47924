"""Rating runs (星级评定) as durable jobs: queued by an administrator for a tenant, subject
and period, run by `points.star_run` in the creator's scope, published as drafts.

The job stages every subject's score and breakdown in the database, grades the scores
counted by value (`domain.points.grade_groups`: the tie rule needs no more), writes the
ratings in one statement and marks the run published, all in one transaction, and queues
`star_rating.published`; a rerun after a crash finds the run published or writes it whole.
The notice period (公示期) runs from `publish_at` for the scheme's `notice_days`.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from domain.points import (
    MESSAGES,
    StarScheme,
    Subject,
    grade_groups,
    scheme_of_json,
    scheme_to_json,
    validate_scheme,
)
from domain.shared import ErrorKind, Guard, new_id, not_found
from domain.shared.retries import RetryPolicy
from domain.shared.times import DISPLAY_ZONE
from domain.tenancy import tenant_domain
from infra.db.routing import locked
from infra.db.session import UnitOfWork
from infra.platform.jobs import JobContext, enqueue
from infra.platform.outbox import emit
from infra.platform.runner import JobRunner
from infra.points.indicators import measurable
from infra.points.star_schemes import scheme_in_force
from infra.points.star_scoring import StagedGroup, stage_branches, stage_members
from infra.points.tables import StarRun
from infra.tenancy import tenant_ref

JOB_KIND = "points.star_run"
Grades = dict[tuple[float, bool], tuple[int, int]]
PUBLISHED = "star_rating.published"
RETRIES = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=300)


async def queue_star_run(
    uow: UnitOfWork,
    guard: Guard,
    *,
    tenant_id: uuid.UUID,
    subject: Subject,
    period: str,
    scheme: StarScheme | None,
    publish_at: datetime,
    created_by: uuid.UUID,
    home_tenant_id: uuid.UUID,
) -> StarRun:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    guard.require("star_rating", "run", tenant_domain(tenant.path))
    if scheme is None:
        scheme = (await scheme_in_force(uow, tenant.id, subject)).scheme
    validate_scheme(scheme, subject, measurable=measurable())
    existing = (
        await uow.session.execute(
            select(StarRun.id).where(
                StarRun.tenant_id == tenant.id,  # type: ignore[arg-type]
                StarRun.subject == subject.value,  # type: ignore[arg-type]
                StarRun.period == period,  # type: ignore[arg-type]
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise MESSAGES.error("star_run_exists", ErrorKind.CONFLICT, run=existing)
    run_id = new_id()
    job = await enqueue(
        uow,
        tenant_id=home_tenant_id,
        created_by=created_by,
        kind=JOB_KIND,
        params={"tenant_id": str(tenant.id), "run_id": str(run_id)},
    )
    run = StarRun(
        tenant_id=tenant.id,
        id=run_id,
        subject=subject.value,
        period=period,
        scheme=scheme_to_json(scheme),
        status="queued",
        job_id=job.id,
        publish_at=publish_at,
        stands_at=publish_at + timedelta(days=scheme.notice_days),
        created_by=created_by,
    )
    uow.session.add(run)
    await uow.session.flush()
    uow.audit(
        "star_rating.run",
        "star_run",
        run.id,
        tenant_id=tenant.id,
        detail={"subject": subject.value, "period": period},
    )
    return run


async def run_star_job(job: JobContext) -> dict[str, Any]:
    tenant_id = uuid.UUID(job.params["tenant_id"])
    run_id = uuid.UUID(job.params["run_id"])
    async with job.unit_of_work() as uow:
        run = (
            await uow.session.execute(
                select(StarRun).where(
                    StarRun.tenant_id == tenant_id,  # type: ignore[arg-type]
                    StarRun.id == run_id,  # type: ignore[arg-type]
                )
            )
        ).scalar_one_or_none()
        if run is None:
            raise not_found("star_run")
        run = await locked(uow.session, run)
        if run.status == "queued":
            await _publish(uow, run, job)
        return {"run_id": str(run.id), "rated": run.rated, "distribution": run.distribution}


async def _publish(uow: UnitOfWork, run: StarRun, job: JobContext) -> None:
    scheme = scheme_of_json(run.scheme)
    previous = await _previous_run(uow, run)
    if run.subject == Subject.MEMBER.value:
        staged = await stage_members(uow, run.tenant_id, run.period, scheme, previous)
    else:
        tenant = await tenant_ref(uow, run.tenant_id)
        if tenant is None:
            raise not_found("tenant")
        today = datetime.now(DISPLAY_ZONE).date()
        staged = await stage_branches(uow, tenant, run.period, scheme, today, previous)
    graded = grade_groups(scheme, [s.group for s in staged])
    rated = sum(s.group.subjects for s in staged)
    await job.progress(0, rated)
    await _write(uow, run, staged, graded)
    await job.progress(rated, rated)
    counts = {str(n): 0 for n in range(1, 6)}
    for s in staged:
        counts[str(graded[s.group.score, s.group.meets_requirement][0])] += s.group.subjects
    run.status = "published"
    run.rated = rated
    run.distribution = counts
    uow.session.add(run)
    emit(
        uow,
        tenant_id=run.tenant_id,
        topic=PUBLISHED,
        aggregate_type="star_run",
        aggregate_id=run.id,
        payload={
            "run_id": str(run.id),
            "subject": run.subject,
            "period": run.period,
            "rated": run.rated,
            "distribution": run.distribution,
            "publish_at": run.publish_at.astimezone(UTC).isoformat(),
            "stands_at": run.stands_at.astimezone(UTC).isoformat(),
        },
        organization_id=None,  # a run rates the whole tenant
    )


async def _previous_run(uow: UnitOfWork, run: StarRun) -> uuid.UUID | None:
    """The latest earlier published run of the same subject, whose stars a rating moves from."""
    found: uuid.UUID | None = (
        await uow.session.execute(
            select(StarRun.id)
            .where(
                StarRun.tenant_id == run.tenant_id,  # type: ignore[arg-type]
                StarRun.subject == run.subject,  # type: ignore[arg-type]
                StarRun.status == "published",  # type: ignore[arg-type]
                StarRun.period < run.period,  # type: ignore[arg-type]
            )
            .order_by(StarRun.period.desc())  # type: ignore[attr-defined]
            .limit(1)
        )
    ).scalar_one_or_none()
    return found


_STAGED = text(
    "SELECT subject_id, organization_id, score, breakdown, previous_stars, meets FROM star_stage"
)
_ONE_RATING = text(
    "INSERT INTO star_rating (tenant_id, id, run_id, subject, subject_id, organization_id,"
    " period, score, drafted_stars, stars, rank, previous_stars, breakdown, publish_at,"
    " stands_at) VALUES (:t, :id, :run, :subject, :subject_id, :organization_id, :period,"
    " :score, :stars, :stars, :rank, :previous_stars, CAST(:breakdown AS jsonb), :publish_at,"
    " :stands_at)"
)


async def _write(uow: UnitOfWork, run: StarRun, staged: list[StagedGroup], graded: Grades) -> None:
    """One statement: the stars and rank of each (score, meets) group, a few hundred rows,
    joined to the staged scores, breakdowns and previous stars. Citus copies an
    `INSERT … SELECT` from a temporary table, which it refuses under row-level security:
    there the rows go as `VALUES`, one each."""
    if uow.distributed:
        rows = [
            {
                "t": run.tenant_id,
                "id": new_id(),
                "run": run.id,
                "subject": run.subject,
                "subject_id": row.subject_id,
                "organization_id": row.organization_id,
                "period": run.period,
                "score": row.score,
                "stars": graded[float(row.score), row.meets][0],
                "rank": graded[float(row.score), row.meets][1],
                "previous_stars": row.previous_stars,
                "breakdown": json.dumps(row.breakdown, ensure_ascii=False),
                "publish_at": run.publish_at,
                "stands_at": run.stands_at,
            }
            for row in await uow.session.execute(_STAGED)
        ]
        if rows:
            await uow.session.execute(_ONE_RATING, rows)
        return
    grades = [graded[s.group.score, s.group.meets_requirement] for s in staged]
    await uow.session.execute(
        text(
            "INSERT INTO star_rating (tenant_id, id, run_id, subject, subject_id,"
            " organization_id, period, score, drafted_stars, stars, rank, previous_stars,"
            " breakdown, publish_at, stands_at)"
            " SELECT :t, zhibu_uuid7(), :run, :subject, s.subject_id, s.organization_id,"
            " :period, s.score, g.stars, g.stars, g.rank, s.previous_stars, s.breakdown,"
            " :publish_at, :stands_at"
            " FROM star_stage s JOIN unnest(CAST(:scores AS numeric[]),"
            " CAST(:meets AS boolean[]), CAST(:stars AS smallint[]), CAST(:ranks AS integer[]))"
            " AS g(score, meets, stars, rank) ON g.score = s.score AND g.meets = s.meets"
            " ORDER BY s.subject_id"
        ),
        {
            "t": run.tenant_id,
            "run": run.id,
            "subject": run.subject,
            "period": run.period,
            "publish_at": run.publish_at,
            "stands_at": run.stands_at,
            "scores": [s.score for s in staged],
            "meets": [s.group.meets_requirement for s in staged],
            "stars": [g[0] for g in grades],
            "ranks": [g[1] for g in grades],
        },
    )


def register_jobs(runner: JobRunner) -> None:
    runner.register(JOB_KIND, run_star_job, RETRIES)
