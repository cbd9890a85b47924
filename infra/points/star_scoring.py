"""Scores behind star ratings, staged in a transaction's temporary table `star_stage`
(subject, organization, score, breakdown), from which the ratings are written.

A member's score is the rule version's base score plus the sum of their entries within
the period, grouped by item for the breakdown: one statement over the ledger and members'
published `ACTIVE_MEMBERS`, which stays in the database; only the count of subjects of
each score comes to Python to be graded. Members the rules or the scheme leave out are not
rated at all (`_rated`). A branch's score weighs the registered indicators and the next
level's manual scores (`domain.points.weighted_score`), computed here and staged likewise.
Each subject's stars in the previous run are staged with it, so that writing the ratings
joins nothing but the stage (on Citus, a temporary table joins no distributed table).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    and_,
    cast,
    column,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from domain.points import (
    RuleSet,
    Scored,
    ScoreGroup,
    StarScheme,
    Unrated,
    period_end,
    period_start,
    periods_within,
    unrated,
    version_on,
    weighted_score,
)
from infra.db.planner import planner_without
from infra.db.session import UnitOfWork
from infra.members import ACTIVE_MEMBERS
from infra.points.indicators import Branches, measure
from infra.points.rule_sets import versions_in_force
from infra.points.tables import PointEntry, PointMemberProfile, StarRating, StarScore
from infra.tenancy import TenantRef, branches_within

STAGE = table(
    "star_stage",
    column("subject_id"),
    column("organization_id"),
    column("score"),
    column("breakdown"),
    column("previous_stars"),
)


class StagedGroup(NamedTuple):
    """A group as the stage holds its score (exact, to join on) and as it is graded."""

    score: Decimal
    group: ScoreGroup


async def _create_stage(uow: UnitOfWork) -> None:
    await uow.session.execute(
        text(
            "CREATE TEMPORARY TABLE star_stage (subject_id uuid NOT NULL,"
            " organization_id uuid NOT NULL, score numeric(10, 2) NOT NULL,"
            " breakdown jsonb NOT NULL, previous_stars smallint,"
            " meets boolean NOT NULL DEFAULT true) ON COMMIT DROP"
        )
    )


def _rated(m: Any, version: RuleSet | None, end: date, scheme: StarScheme) -> ColumnElement[bool]:
    """Who is rated: active members (``ACTIVE_MEMBERS``), less those the rule version in
    force at the period's end excludes (aged out on its last day, a listed condition) and
    those of a class the scheme leaves out."""
    left_out = unrated(version, end) if version else Unrated(None, frozenset())
    keep: list[ColumnElement[bool]] = []
    if left_out.born_by is not None:
        keep.append(or_(m.c.birth_date.is_(None), m.c.birth_date > left_out.born_by))
    profile_excludes: list[ColumnElement[bool]] = []
    if left_out.conditions:
        profile_excludes.append(
            PointMemberProfile.conditions.overlap(sorted(left_out.conditions))  # type: ignore[attr-defined]
        )
    if scheme.excluded_classes:
        profile_excludes.append(
            PointMemberProfile.member_class.in_(scheme.excluded_classes)  # type: ignore[union-attr]
        )
    if profile_excludes:
        keep.append(
            ~exists().where(
                PointMemberProfile.tenant_id == m.c.tenant_id,  # type: ignore[arg-type]
                PointMemberProfile.member_id == m.c.id,  # type: ignore[arg-type]
                or_(*profile_excludes),
            )
        )
    return and_(true(), *keep)


async def stage_members(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    period: str,
    scheme: StarScheme,
    previous: uuid.UUID | None,
) -> list[StagedGroup]:
    versions = await versions_in_force(uow, tenant_id)
    end = period_end(period)
    version = version_on([v.rules for v in versions], end)
    base = version.base_score if version else 0
    item = func.coalesce(PointEntry.item_code, PointEntry.cause_type)
    by_item = (
        select(
            PointEntry.tenant_id,
            PointEntry.member_id,
            item.label("item"),
            func.sum(PointEntry.points).label("points"),
        )
        .where(
            PointEntry.tenant_id == tenant_id,  # type: ignore[arg-type]
            PointEntry.period.in_(periods_within(period)),  # type: ignore[attr-defined]
        )
        .group_by(PointEntry.tenant_id, PointEntry.member_id, item)
        .subquery("by_item")
    )
    per_member = (
        select(
            by_item.c.tenant_id,
            by_item.c.member_id,
            func.sum(by_item.c.points).label("earned"),
            # built as text and cast once per member: a tenth faster than jsonb_object_agg
            # over a province, whose per-member state spills to disk
            cast(func.json_object_agg(by_item.c.item, by_item.c.points), JSONB).label("parts"),
        )
        .group_by(by_item.c.tenant_id, by_item.c.member_id)
        .subquery("per_member")
    )
    m = ACTIVE_MEMBERS
    before = (
        select(StarRating.tenant_id, StarRating.subject_id, StarRating.stars)
        .where(
            StarRating.tenant_id == tenant_id,  # type: ignore[arg-type]
            StarRating.run_id == previous,  # type: ignore[arg-type]
        )
        .subquery("before")
    )
    scored = select(
        m.c.id,
        m.c.organization_id,
        literal(base) + func.coalesce(per_member.c.earned, 0),
        func.jsonb_build_object(
            "base",
            cast(literal(base), Integer),
            "items",
            func.coalesce(per_member.c.parts, cast(literal("{}"), JSONB)),
        ),
        before.c.stars,
    ).select_from(
        m.outerjoin(
            per_member,
            and_(per_member.c.tenant_id == m.c.tenant_id, per_member.c.member_id == m.c.id),
        ).outerjoin(
            before, and_(before.c.tenant_id == m.c.tenant_id, before.c.subject_id == m.c.id)
        )
    )
    await _create_stage(uow)
    # All of a tenant's entries share the leading column of the ledger's (tenant, member)
    # indexes, so the planner prices walking one in member order as a sequential read; it
    # is a random read of the whole heap (entries lie in the order they were earned): at
    # 2.5 million entries 12 s of the statement's 14, against 4 s for all of it with the
    # entries scanned and the aggregate hashed.
    async with planner_without(uow.session, "enable_indexscan"):
        await uow.session.execute(
            insert(STAGE).from_select(
                ["subject_id", "organization_id", "score", "breakdown", "previous_stars"],
                scored.where(m.c.tenant_id == tenant_id, _rated(m, version, end, scheme)),
            )
        )
    return await staged_groups(uow)


async def staged_groups(uow: UnitOfWork) -> list[StagedGroup]:
    """The stage's subjects counted by (score, meets): grading needs no more than that."""
    rows = await uow.session.execute(
        text("SELECT score, meets, count(*) FROM star_stage GROUP BY score, meets")
    )
    return [StagedGroup(r[0], ScoreGroup(float(r[0]), r[1], r[2])) for r in rows]


async def stage_branches(
    uow: UnitOfWork,
    tenant: TenantRef,
    period: str,
    scheme: StarScheme,
    today: date,
    previous: uuid.UUID | None,
) -> list[StagedGroup]:
    first, last = period_start(period), period_end(period)
    found = await branches_within(uow, tenant_path=tenant.path, first=first, last=last)
    orgs = [o for o in found if o.tenant_id == tenant.id]
    branches = Branches(tenant.id, orgs, first, last, today)
    measured = {
        i.code: await measure(uow, i.code, branches) for i in scheme.indicators if not i.manual
    }
    manual: dict[uuid.UUID, dict[str, float]] = defaultdict(dict)
    for org_id, indicator, value in await uow.session.execute(
        select(StarScore.organization_id, StarScore.indicator, StarScore.score).where(
            StarScore.tenant_id == tenant.id,  # type: ignore[arg-type]
            StarScore.period == period,  # type: ignore[arg-type]
        )
    ):
        manual[org_id][indicator] = float(value)
    scored, breakdowns = [], []
    needed = scheme.five_star_requires
    for org in orgs:
        values = {code: m.get(org.id, 0.0) for code, m in measured.items()}
        score, breakdown = weighted_score(scheme.indicators, values, manual[org.id])
        meets = needed is None or breakdown.get(needed, {}).get("points", 0) > 0
        scored.append(Scored(org.id, score, meets_requirement=meets))
        breakdowns.append(json.dumps({"indicators": breakdown}, ensure_ascii=False))
    stars_before = dict(
        (
            await uow.session.execute(
                select(StarRating.subject_id, StarRating.stars).where(
                    StarRating.tenant_id == tenant.id,  # type: ignore[arg-type]
                    StarRating.run_id == previous,  # type: ignore[arg-type]
                )
            )
        ).all()
    )
    await _create_stage(uow)
    await uow.session.execute(
        text(
            "INSERT INTO star_stage SELECT u.id, u.id, u.score, u.breakdown::jsonb, u.before,"
            " u.meets FROM unnest(CAST(:ids AS uuid[]), CAST(:scores AS numeric[]),"
            " CAST(:breakdowns AS text[]), CAST(:before AS smallint[]),"
            " CAST(:meets AS boolean[])) AS u(id, score, breakdown, before, meets)"
        ),
        {
            "ids": [s.subject_id for s in scored],
            "scores": [s.score for s in scored],
            "breakdowns": breakdowns,
            "before": [stars_before.get(s.subject_id) for s in scored],
            "meets": [s.meets_requirement for s in scored],
        },
    )
    return await staged_groups(uow)
