"""Read queries of the member registry: filtered, searched, keyset-paginated lists and counts.

Every list query is backed by an index of migration 0003 (organization subtree, pinyin,
initials and name prefixes, blind indexes, admission date, id); row-level security adds
the caller's tenant subtree on top of whatever is asked here.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, or_, select, text, tuple_

from domain.members import NormalizedQuery, QueryKind, age_band
from infra.db.session import UnitOfWork
from infra.members.protect import FieldProtector
from infra.members.tables import Member

_ACTIVE = ("probationary", "full")


class SortKey(StrEnum):
    """List orders: by name pinyin, by admission date, or by creation (ids are UUIDv7)."""

    NAME = "name"
    ADMITTED_ON = "admitted_on"
    CREATED = "created"


@dataclass(frozen=True, slots=True)
class MemberFilter:
    organization_scope: tuple[uuid.UUID, str] | None = None  # (tenant_id, org path) subtree
    organization_id: uuid.UUID | None = None  # this organization only
    tenant_path: str | None = None  # a tenant subtree
    status: str | None = None
    member_class: str | None = None
    admitted_from_year: int | None = None
    admitted_to_year: int | None = None
    is_mobile: bool | None = None
    query: NormalizedQuery | None = None


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where the previous page ended: the sort value and the id of its last row."""

    member_id: uuid.UUID
    value: str | None = None


def sort_value(member: Member, sort: SortKey) -> str | None:
    if sort is SortKey.NAME:
        return member.name_pinyin
    if sort is SortKey.ADMITTED_ON:
        return member.admitted_on.isoformat()
    return None


def _prefix(column: Any, value: str) -> Any:
    """`column LIKE 'value%'` as a range: LIKE is not leakproof, so under row-level
    security it could never use an index; >= and < on a "C"-collated column can."""
    upper = value[:-1] + chr(ord(value[-1]) + 1)
    return and_(column >= value, column < upper)


def _search(stmt: Select[Any], query: NormalizedQuery, protector: FieldProtector) -> Select[Any]:
    if query.kind is QueryKind.ID_NUMBER:
        return stmt.where(Member.id_number_bidx == protector.id_number_index(query.value))  # type: ignore[arg-type]
    if query.kind is QueryKind.PHONE:
        return stmt.where(Member.phone_bidx == protector.phone_index(query.value))  # type: ignore[arg-type]
    if query.kind is QueryKind.PINYIN:
        return stmt.where(
            or_(
                _prefix(Member.name_pinyin, query.value),
                _prefix(Member.name_initials, query.value),
            )
        )
    # Chinese names match from their start (surname first), e.g. 张, 张三.
    return stmt.where(_prefix(Member.name, query.value))


def _filters(stmt: Select[Any], f: MemberFilter, protector: FieldProtector) -> Select[Any]:
    if f.organization_scope is not None:
        tenant_id, path = f.organization_scope
        stmt = stmt.where(
            Member.tenant_id == tenant_id,  # type: ignore[arg-type]
            Member.organization_id.in_(  # type: ignore[attr-defined]
                text(
                    "SELECT o.id FROM organization o"
                    " WHERE o.tenant_id = :scope_tenant AND o.path <@ CAST(:scope_path AS ltree)"
                ).bindparams(scope_tenant=tenant_id, scope_path=path)
            ),
        )
    if f.organization_id is not None:
        stmt = stmt.where(Member.organization_id == f.organization_id)  # type: ignore[arg-type]
    if f.tenant_path is not None:
        stmt = stmt.where(
            Member.tenant_id.in_(  # type: ignore[attr-defined]
                text(
                    "SELECT t.id FROM tenant t WHERE t.path <@ CAST(:tenant_path AS ltree)"
                ).bindparams(tenant_path=f.tenant_path)
            )
        )
    if f.status is not None:
        stmt = stmt.where(Member.status == f.status)  # type: ignore[arg-type]
    if f.member_class is not None:
        stmt = stmt.where(Member.member_class == f.member_class)  # type: ignore[arg-type]
    if f.is_mobile is not None:
        mobile = Member.member_class == "mobile"
        stmt = stmt.where(mobile if f.is_mobile else ~mobile)  # type: ignore[arg-type]
    if f.admitted_from_year is not None:
        stmt = stmt.where(Member.admitted_on >= date(f.admitted_from_year, 1, 1))  # type: ignore[operator]
    if f.admitted_to_year is not None:
        stmt = stmt.where(Member.admitted_on < date(f.admitted_to_year + 1, 1, 1))  # type: ignore[operator]
    if f.query is not None:
        stmt = _search(stmt, f.query, protector)
    return stmt


def list_statement(
    f: MemberFilter,
    protector: FieldProtector,
    *,
    sort: SortKey,
    descending: bool,
    after: Keyset | None,
    limit: int,
) -> Select[Any]:
    """The page query: filters, then keyset on (sort value, id), limit + 1 rows."""
    stmt = _filters(select(Member), f, protector)
    key: Any = {
        SortKey.NAME: Member.name_pinyin,
        SortKey.ADMITTED_ON: Member.admitted_on,
        SortKey.CREATED: None,
    }[sort]
    id_col: Any = Member.id
    if after is not None:
        if key is None:
            stmt = stmt.where(id_col < after.member_id if descending else id_col > after.member_id)
        else:
            value: Any = after.value
            if sort is SortKey.ADMITTED_ON and value is not None:
                value = date.fromisoformat(value)
            pair = tuple_(key, id_col)
            bound = tuple_(value, after.member_id)
            stmt = stmt.where(pair < bound if descending else pair > bound)
    columns = [id_col] if key is None else [key, id_col]
    order = [c.desc() if descending else c.asc() for c in columns]
    return stmt.order_by(*order).limit(limit + 1)


async def list_members(
    uow: UnitOfWork,
    f: MemberFilter,
    protector: FieldProtector,
    *,
    sort: SortKey,
    descending: bool,
    after: Keyset | None,
    limit: int,
) -> list[Member]:
    stmt = list_statement(f, protector, sort=sort, descending=descending, after=after, limit=limit)
    return list((await uow.session.execute(stmt)).scalars())


# ---------------------------------------------------------------- statistics


@dataclass(slots=True)
class MemberCounts:
    """党员统计: counts derived from the registry, never typed in.

    `by_status` counts every record; the other breakdowns count current members
    (probationary and full), as the 党内统计 does.
    """

    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_class: Counter[str] = field(default_factory=Counter)
    by_gender: Counter[str] = field(default_factory=Counter)
    by_ethnicity: Counter[str] = field(default_factory=Counter)
    by_age_band: Counter[str] = field(default_factory=Counter)
    by_education: Counter[str] = field(default_factory=Counter)

    def add(self, dimension: str, value: str, count: int, today: date) -> None:
        if dimension == "status":
            self.by_status[value] += count
        elif dimension == "birth_date":
            self.by_age_band[age_band(date.fromisoformat(value), today=today).value] += count
        else:
            getattr(self, f"by_{dimension}")[value] += count

    def merge(self, other: MemberCounts) -> None:
        for name in (
            "by_status",
            "by_class",
            "by_gender",
            "by_ethnicity",
            "by_age_band",
            "by_education",
        ):
            getattr(self, name).update(getattr(other, name))
        self.total += other.total


# One scan, one row per (bucket, dimension, value). Unknown ethnicity/education count as ''.
_COUNTS_SQL = """
SELECT {bucket} AS bucket,
       CASE WHEN GROUPING(m.status) = 0 THEN 'status'
            WHEN GROUPING(m.member_class) = 0 THEN 'class'
            WHEN GROUPING(m.gender) = 0 THEN 'gender'
            WHEN GROUPING(m.ethnicity) = 0 THEN 'ethnicity'
            WHEN GROUPING(m.education) = 0 THEN 'education'
            ELSE 'birth_date' END AS dimension,
       COALESCE(m.status, m.member_class, m.gender, m.ethnicity, m.education,
                m.birth_date::text, '') AS value,
       count(*),
       count(*) FILTER (WHERE m.status IN ('probationary', 'full'))
FROM member m {join}
WHERE {where}
GROUP BY {bucket}, GROUPING SETS ((m.status), (m.member_class), (m.gender), (m.ethnicity),
                                  (m.education), (m.birth_date))
"""


def _counts_from(rows: Any, today: date) -> dict[str, MemberCounts]:
    buckets: dict[str, MemberCounts] = {}
    for bucket, dimension, value, every, active in rows:
        counts = buckets.setdefault(str(bucket), MemberCounts())
        count = every if dimension == "status" else active
        if count:
            counts.add(dimension, value or "", int(count), today)
    for counts in buckets.values():
        counts.total = sum(counts.by_status[s] for s in _ACTIVE)
    return buckets


async def organization_counts(
    uow: UnitOfWork, tenant_id: uuid.UUID, org_path: str, *, today: date
) -> MemberCounts:
    """Counts for an organization's subtree."""
    sql = _COUNTS_SQL.format(
        bucket="m.tenant_id::text",
        join="",
        where=(
            "m.tenant_id = :t AND m.organization_id IN (SELECT o.id FROM organization o"
            " WHERE o.tenant_id = :t AND o.path <@ CAST(:p AS ltree))"
        ),
    )
    rows = (await uow.session.execute(text(sql), {"t": tenant_id, "p": org_path})).all()
    return next(iter(_counts_from(rows, today).values()), MemberCounts())


async def tenant_counts(
    uow: UnitOfWork, tenant_path: str, *, today: date
) -> dict[str, MemberCounts]:
    """Counts for a tenant subtree, bucketed by the direct child tenant a member lies under.

    The bucket is the child's path; members of the tenant itself fall in its own path.
    """
    depth = tenant_path.count(".") + 1
    sql = _COUNTS_SQL.format(
        bucket=f"subpath(t.path, 0, LEAST(nlevel(t.path), {depth + 1}))::text",
        join="JOIN tenant t ON t.id = m.tenant_id",
        where="t.path <@ CAST(:p AS ltree)",
    )
    rows = (await uow.session.execute(text(sql), {"p": tenant_path})).all()
    return _counts_from(rows, today)


__all__ = [
    "Keyset",
    "MemberCounts",
    "MemberFilter",
    "SortKey",
    "list_members",
    "organization_counts",
    "sort_value",
    "tenant_counts",
]
