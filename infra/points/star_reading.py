"""Who sees which star ratings (the 2023 rules against ranking people by points).

A member always sees their own rating and its breakdown once its notice has begun; staff
holding `star_rating:read` over the rated organization (a branch secretary, their
branch's; a superior tenant's administrator, its subtree's) see the organization's. Other
members see a member's rating only where the tenant turned `rankings_enabled` on, and then
within their own organization. A position in a ranking of people is shown only under the
same switch; branches' ranks always. Anyone else gets aggregates: the distribution of
stars per organization, never a person.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_

from domain.shared import Guard, not_found
from domain.tenancy import org_domain, tenant_domain
from infra.db.session import UnitOfWork
from infra.members import member_of_user
from infra.points.tables import StarAppeal, StarRating, StarRun
from infra.points.visibility import Reader
from infra.tenancy import effective_settings_of, organization_ids_in_domains, tenant_path_of


@dataclass(frozen=True, slots=True)
class SeenRating:
    rating: StarRating
    appeal: StarAppeal | None
    own: bool
    rank_shown: bool


async def _clauses(
    uow: UnitOfWork, guard: Guard, reader: Reader, now: datetime
) -> tuple[list[ColumnElement[bool]], uuid.UUID | None]:
    """Where the caller sees ratings: staff scopes, their own, their peers' (switch on)."""
    domains = [
        org_domain(t, o) if o else tenant_domain(t) for t, o in guard.scopes("star_rating", "read")
    ]
    clauses: list[ColumnElement[bool]] = []
    if domains:
        clauses.append(
            tuple_(StarRating.tenant_id, StarRating.organization_id).in_(  # type: ignore[arg-type]
                organization_ids_in_domains(domains)
            )
        )
    mine = await member_of_user(uow, reader.tenant_id, reader.user_id)
    if mine is None:
        return clauses, None
    published = StarRating.publish_at <= now  # type: ignore[operator]
    clauses.append(
        and_(StarRating.subject == "member", StarRating.subject_id == mine.id, published)  # type: ignore[arg-type]
    )
    if (await effective_settings_of(uow, mine.tenant_id)).rankings_enabled:
        clauses.append(
            and_(
                StarRating.subject == "member",  # type: ignore[arg-type]
                StarRating.tenant_id == mine.tenant_id,  # type: ignore[arg-type]
                StarRating.organization_id == mine.organization_id,  # type: ignore[arg-type]
                published,
            )
        )
    return clauses, mine.id


async def _seen(
    uow: UnitOfWork, rows: list[tuple[StarRating, StarAppeal | None]], mine: uuid.UUID | None
) -> list[SeenRating]:
    switch: dict[uuid.UUID, bool] = {}
    seen = []
    for rating, appeal in rows:
        if rating.subject != "member":
            shown = True
        else:
            if rating.tenant_id not in switch:
                settings = await effective_settings_of(uow, rating.tenant_id)
                switch[rating.tenant_id] = settings.rankings_enabled
            shown = switch[rating.tenant_id]
        seen.append(SeenRating(rating, appeal, rating.subject_id == mine, shown))
    return seen


def _with_appeal(stmt: Select[tuple[StarRating]]) -> Select[tuple[StarRating, StarAppeal]]:
    return stmt.add_columns(StarAppeal).outerjoin(
        StarAppeal,
        and_(
            StarAppeal.tenant_id == StarRating.tenant_id,  # type: ignore[arg-type]
            StarAppeal.rating_id == StarRating.id,  # type: ignore[arg-type]
        ),
    )


async def get_rating(
    uow: UnitOfWork, guard: Guard, reader: Reader, rating_id: uuid.UUID, now: datetime
) -> SeenRating:
    clauses, mine = await _clauses(uow, guard, reader, now)
    if not clauses:
        raise not_found("star_rating")
    stmt = _with_appeal(select(StarRating)).where(
        StarRating.id == rating_id,  # type: ignore[arg-type]
        or_(*clauses),
    )
    row = (await uow.session.execute(stmt)).first()
    if row is None:
        raise not_found("star_rating")
    seen = (await _seen(uow, [(row[0], row[1])], mine))[0]
    _audit_read(uow, [seen])
    return seen


def _audit_read(uow: UnitOfWork, seen: list[SeenRating]) -> None:
    """Another member's stars and breakdown are personal data: such reads are audited."""
    others = [s.rating for s in seen if s.rating.subject == "member" and not s.own]
    if others:
        uow.audit(
            "star_rating.read",
            "star_rating",
            others[0].id,
            tenant_id=others[0].tenant_id,
            detail={"ratings": len(others)},
        )


async def list_ratings(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    *,
    now: datetime,
    run_id: uuid.UUID | None,
    subject_id: uuid.UUID | None,
    period: str | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[SeenRating]:
    """Visible ratings in id order; a subject's across periods is its history."""
    clauses, mine = await _clauses(uow, guard, reader, now)
    if not clauses:
        guard.require("star_rating", "read")
    stmt = _with_appeal(select(StarRating)).where(or_(*clauses))
    if run_id is not None:
        stmt = stmt.where(StarRating.run_id == run_id)  # type: ignore[arg-type]
    if subject_id is not None:
        stmt = stmt.where(StarRating.subject_id == subject_id)  # type: ignore[arg-type]
    if period is not None:
        stmt = stmt.where(StarRating.period == period)  # type: ignore[arg-type]
    if after is not None:
        stmt = stmt.where(StarRating.id > after)  # type: ignore[arg-type]
    rows = await uow.session.execute(stmt.order_by(StarRating.id).limit(limit + 1))  # type: ignore[arg-type]
    seen = await _seen(uow, [(r[0], r[1]) for r in rows], mine)
    _audit_read(uow, seen)
    return seen


@dataclass(frozen=True, slots=True)
class OrgDistribution:
    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    stars: dict[str, int]


async def star_distribution(
    uow: UnitOfWork,
    guard: Guard,
    reader: Reader,
    *,
    now: datetime,
    subject: str,
    period: str,
    tenant_id: uuid.UUID | None,
) -> list[OrgDistribution]:
    """How many of each star per organization, over the ratings the caller may see and
    the caller's own organization's: counts only, whoever asks."""
    clauses, _ = await _clauses(uow, guard, reader, now)
    mine = await member_of_user(uow, reader.tenant_id, reader.user_id)
    if mine is not None:
        clauses.append(
            and_(
                StarRating.tenant_id == mine.tenant_id,  # type: ignore[arg-type]
                StarRating.organization_id == mine.organization_id,  # type: ignore[arg-type]
                StarRating.publish_at <= now,  # type: ignore[operator]
            )
        )
    if not clauses:
        guard.require("star_rating", "read")
    stmt = (
        select(
            StarRating.tenant_id,
            StarRating.organization_id,
            StarRating.stars,
            func.count(),
        )
        .where(
            or_(*clauses),
            StarRating.subject == subject,  # type: ignore[arg-type]
            StarRating.period == period,  # type: ignore[arg-type]
        )
        .group_by(StarRating.tenant_id, StarRating.organization_id, StarRating.stars)  # type: ignore[arg-type]
    )
    if tenant_id is not None:
        stmt = stmt.where(StarRating.tenant_id == tenant_id)  # type: ignore[arg-type]
    found: dict[tuple[uuid.UUID, uuid.UUID], dict[str, int]] = {}
    for t, org, stars, n in await uow.session.execute(stmt):
        counts = found.setdefault((t, org), {str(k): 0 for k in range(1, 6)})
        counts[str(stars)] = n
    return [OrgDistribution(t, o, c) for (t, o), c in sorted(found.items(), key=str)]


async def get_run(uow: UnitOfWork, guard: Guard, run_id: uuid.UUID) -> StarRun:
    """A run, for those who may read ratings over its tenant."""
    run = (
        await uow.session.execute(select(StarRun).where(StarRun.id == run_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    path = await tenant_path_of(uow, run.tenant_id) if run else None
    if run is None or path is None or not guard.can("star_rating", "read", tenant_domain(path)):
        raise not_found("star_run")
    return run
