"""Read queries of the member registry: filtered, searched, keyset-paginated lists and counts.

Every list query is backed by an index of migration 0003 (organization subtree, pinyin,
initials and name prefixes, blind indexes, admission date, id) or, for name fragments, of
0014 and 0018 (`member_name_gram`); row-level security adds
the caller's tenant subtree on top of whatever is asked here.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, func, select, text, tuple_, union

from domain.members import NormalizedQuery, QueryKind, age_band
from infra.db.routing import tenant_filter
from infra.db.session import UnitOfWork
from infra.members.name_grams import MemberNameGram, is_whole_gram, walked_gram
from infra.members.tables import Member
from infra.protection import FieldProtector
from infra.tenancy import ORGANIZATION_SUBTREE_IDS, TENANT_SUBTREE, TENANT_SUBTREE_IDS

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
    in_transfer: tuple[bool, Any] | None = None
    """(wanted, member ids with an open transfer as a subquery from the transfers context)"""


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


@dataclass(frozen=True, slots=True)
class _Branch:
    """One way a search matches; `collect` when its index does not give the list order."""

    condition: Any
    collect: bool = False


def _search_branches(query: NormalizedQuery, protector: FieldProtector) -> list[_Branch]:
    if query.kind is QueryKind.ID_NUMBER:
        return [_Branch(Member.id_number_bidx == protector.id_number_index(query.value))]
    if query.kind is QueryKind.PHONE:
        return [_Branch(Member.phone_bidx == protector.phone_index(query.value))]
    if query.kind is QueryKind.PINYIN:
        # Full pinyin runs in list order along member_pinyin; initials do not (zy* is spread
        # over every z… pinyin), so their matches are collected from member_initials first.
        # One letter is the first letter of both, so the pinyin branch alone finds them all.
        pinyin = _Branch(_prefix(Member.name_pinyin, query.value))
        if len(query.value) == 1:
            return [pinyin]
        return [pinyin, _Branch(_prefix(Member.name_initials, query.value), collect=True)]
    # Chinese names match any fragment (张三, 阳建国 in 欧阳建国) through the n-gram index,
    # which only the scope-applying lookup of migration 0014 can use under row-level security;
    # page_plan reaches it only for longer fragments not found along their first pair,
    # and never on Citus, where the lookup would run a distributed query inside a shard query.
    named = text("SELECT n.id FROM zhibu_members_named(:fragment) n").bindparams(
        fragment=query.value
    )
    return [_Branch(Member.id.in_(named), collect=True)]  # type: ignore[attr-defined]


def _column_filters(f: MemberFilter) -> list[Any]:
    """Conditions on the member row itself (the planner estimates these well)."""
    conds: list[Any] = []
    if f.organization_scope is not None:
        conds.append(Member.tenant_id == f.organization_scope[0])
    if f.organization_id is not None:
        conds.append(Member.organization_id == f.organization_id)
    if f.status is not None:
        conds.append(Member.status == f.status)
    if f.member_class is not None:
        conds.append(Member.member_class == f.member_class)
    if f.is_mobile is not None:
        mobile = Member.member_class == "mobile"
        conds.append(mobile if f.is_mobile else ~mobile)
    if f.in_transfer is not None:
        wanted, ids = f.in_transfer
        in_transfer = Member.id.in_(ids)  # type: ignore[attr-defined]
        conds.append(in_transfer if wanted else ~in_transfer)
    if f.admitted_from_year is not None:
        conds.append(Member.admitted_on >= date(f.admitted_from_year, 1, 1))
    if f.admitted_to_year is not None:
        conds.append(Member.admitted_on < date(f.admitted_to_year + 1, 1, 1))
    return conds


def _scope_filters(f: MemberFilter, tenant_col: Any, org_col: Any) -> list[Any]:
    """Organization and tenant subtrees: semi-joins whose size the planner cannot guess."""
    conds: list[Any] = []
    if f.organization_scope is not None:
        tenant_id, path = f.organization_scope
        conds.append(
            org_col.in_(
                text(ORGANIZATION_SUBTREE_IDS).bindparams(
                    subtree_tenant_id=tenant_id, subtree_org_path=path
                )
            )
        )
    if f.tenant_path is not None:
        conds.append(
            tenant_col.in_(text(TENANT_SUBTREE_IDS).bindparams(subtree_tenant_path=f.tenant_path))
        )
    return conds


def _sort_names(sort: SortKey) -> list[str]:
    return {
        SortKey.NAME: ["name_pinyin", "id"],
        SortKey.ADMITTED_ON: ["admitted_on", "id"],
        SortKey.CREATED: ["id"],
    }[sort]


def _keyset(
    sort: SortKey, descending: bool, after: Keyset | None, columns: Any = None
) -> list[Any]:
    """Rows after the keyset, on `columns` (by sort column name; the member's by default)."""
    if after is None:
        return []
    c = Member.__table__.c if columns is None else columns  # type: ignore[attr-defined]
    if sort is SortKey.CREATED:
        return [c["id"] < after.member_id if descending else c["id"] > after.member_id]
    value: Any = after.value
    if sort is SortKey.ADMITTED_ON and value is not None:
        value = date.fromisoformat(value)
    pair = tuple_(*(c[n] for n in _sort_names(sort)))
    bound = tuple_(value, after.member_id)
    return [pair < bound if descending else pair > bound]


@dataclass(frozen=True, slots=True)
class PagePlan:
    """The statements of one page, tried in order until one answers in full.

    Keys are chosen on narrow rows (index-only where the indexes cover them) and the
    page's limit + 1 member rows are read only at the end, by primary key.
    """

    statements: list[Select[Any]]
    rows: int


def _keys_columns(sort: SortKey) -> list[Any]:
    return [Member.tenant_id, *(getattr(Member, n) for n in _sort_names(sort))]


def _ordered(columns: Any, sort: SortKey, descending: bool) -> list[Any]:
    return [columns[n].desc() if descending else columns[n].asc() for n in _sort_names(sort)]


def _members_of(keys: Any, sort: SortKey, descending: bool) -> Select[Any]:
    return (
        select(Member)
        .join(keys, and_(Member.tenant_id == keys.c.tenant_id, Member.id == keys.c.id))
        .order_by(*_ordered(keys.c, sort, descending))
    )


# A subtree page first looks at this many rows (per row of the page) in list order; a
# subtree holding a few percent of them fills its page there without sorting the subtree.
WINDOW_PER_ROW = 40


def _fragment_walks(
    f: MemberFilter,
    sort: SortKey,
    descending: bool,
    after: Keyset | None,
    rows: int,
    *,
    walk_on: bool,
) -> list[Select[Any]]:
    """A name fragment's page read from `member_name_gram` in list order (migration 0018).

    With nothing to check on the member row (a fragment of one or two characters, no
    filter but tenants), the page is the gram's first rows: `rows` index entries. Else the
    walk first takes a window of `WINDOW_PER_ROW` entries per page row and checks those
    members; when that falls short, a one- or two-character fragment walks on until its
    page fills, and a longer one is collected from the n-gram index instead, unless
    `walk_on` (on Citus, where that lookup would run a distributed query inside a shard
    query: every fragment walks on there).
    """
    assert f.query is not None
    fragment = f.query.value
    g = MemberNameGram.__table__.c  # type: ignore[attr-defined]
    by_name = {"name_pinyin": g.name_pinyin, "admitted_on": g.admitted_on, "id": g.member_id}
    names = _sort_names(sort)
    walk = select(g.tenant_id, *(by_name[n].label(n) for n in names)).where(
        g.gram == walked_gram(fragment), *_keyset(sort, descending, after, by_name)
    )
    if f.tenant_path is not None:
        walk = walk.where(*_scope_filters(replace(f, organization_scope=None), g.tenant_id, None))
    if f.organization_scope is not None:
        walk = walk.where(g.tenant_id == f.organization_scope[0])
    on_member = [
        *_column_filters(f),
        *_scope_filters(replace(f, tenant_path=None), Member.tenant_id, Member.organization_id),
    ]
    if not is_whole_gram(fragment):
        on_member.append(func.strpos(Member.name, fragment) > 0)
    order = [by_name[n].desc() if descending else by_name[n].asc() for n in names]
    if not on_member:
        return [_members_of(walk.order_by(*order).limit(rows).subquery("page"), sort, descending)]

    def checked(source: Any) -> Select[Any]:
        page = (
            select(*source.c)
            .join(
                Member,
                and_(Member.tenant_id == source.c.tenant_id, Member.id == source.c.id),
            )
            .where(*on_member)
            .order_by(*_ordered(source.c, sort, descending))
            .limit(rows)
        )
        return _members_of(page.subquery("page"), sort, descending)

    window = walk.order_by(*order).limit(rows * WINDOW_PER_ROW).subquery("window")
    if not is_whole_gram(fragment) and not walk_on:
        return [checked(window)]
    return [checked(window), checked(walk.subquery("walk"))]


def page_plan(
    f: MemberFilter,
    protector: FieldProtector,
    *,
    sort: SortKey,
    descending: bool,
    after: Keyset | None,
    limit: int,
    distributed: bool = False,
) -> PagePlan:
    """The page query: filters, keyset on (sort value, id), limit + 1 rows.

    - Searches by initials collect their matches (a MATERIALIZED CTE, read index-only)
      and sort those: walking the list order instead would pass most of the registry
      before finding them. Full pinyin and exact lookups run in list order.
    - Organization and tenant subtrees first take the list-order window of
      `WINDOW_PER_ROW` rows per page row and keep those in the subtree; only when that
      falls short (a small subtree) is the whole subtree sorted, which is then cheap.
    - A name fragment walks its gram in list order (`_fragment_walks`); only a fragment of
      three or more characters rare along its first pair collects its few matches from
      the n-gram index; on Citus (`distributed`) it walks its pair to the end instead.
    """
    rows = limit + 1
    cols = _keys_columns(sort)
    base = [*_column_filters(f), *_keyset(sort, descending, after)]
    m = Member.__table__.c  # type: ignore[attr-defined]
    fragment_window: list[Select[Any]] = []
    if f.query is not None and f.query.kind is QueryKind.NAME:
        fragment_window = _fragment_walks(f, sort, descending, after, rows, walk_on=distributed)
        if distributed or is_whole_gram(f.query.value):
            return PagePlan(fragment_window, rows)
    if f.query is not None:
        parts = []
        for i, branch in enumerate(_search_branches(f.query, protector)):
            if branch.collect:
                found = (
                    select(*cols, m.organization_id)
                    .where(branch.condition, *base)
                    .cte(f"matches_{i}")
                    .prefix_with("MATERIALIZED")
                )
                part = select(*(found.c[c.key] for c in cols)).where(
                    *_scope_filters(f, found.c.tenant_id, found.c.organization_id)
                )
                part = part.order_by(*_ordered(found.c, sort, descending))
            else:
                part = select(*cols).where(
                    branch.condition, *base, *_scope_filters(f, m.tenant_id, m.organization_id)
                )
                part = part.order_by(*_ordered(m, sort, descending))
            parts.append(part.limit(rows).subquery(f"branch_{i}"))
        if len(parts) == 1:
            keys = parts[0]
        else:
            either = union(*(select(*p.c) for p in parts)).subquery("either")
            keys = (
                select(*either.c)
                .order_by(*_ordered(either.c, sort, descending))
                .limit(rows)
                .subquery("page")
            )
        return PagePlan([*fragment_window, _members_of(keys, sort, descending)], rows)
    scope = _scope_filters(f, m.tenant_id, m.organization_id)
    whole = select(*cols).where(*base, *scope).order_by(*_ordered(m, sort, descending)).limit(rows)
    if not scope:
        return PagePlan([_members_of(whole.subquery("page"), sort, descending)], rows)
    window = (
        select(*cols, m.organization_id)
        .where(*base)
        .order_by(*_ordered(m, sort, descending))
        .limit(rows * WINDOW_PER_ROW)
        .subquery("window")
    )
    early = (
        select(*(window.c[c.key] for c in cols))
        .where(*_scope_filters(f, window.c.tenant_id, window.c.organization_id))
        .order_by(*_ordered(window.c, sort, descending))
        .limit(rows)
        .subquery("page")
    )
    return PagePlan(
        [
            _members_of(early, sort, descending),
            _members_of(whole.subquery("page"), sort, descending),
        ],
        rows,
    )


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
    plan = page_plan(
        f,
        protector,
        sort=sort,
        descending=descending,
        after=after,
        limit=limit,
        distributed=uow.distributed,
    )
    members: list[Member] = []
    for stmt in plan.statements:
        members = list((await uow.session.execute(stmt)).scalars())
        if len(members) == plan.rows:
            break
    return members


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
# Each member row stands for itself once per dimension (two arrays unnested in step) rather
# than GROUPING SETS, which Citus cannot run across shards.
_COUNTS_SQL = """
SELECT d.bucket, d.dimension, coalesce(d.value, '') AS value,
       count(*), count(*) FILTER (WHERE d.active)
FROM (
    SELECT {bucket} AS bucket, m.status IN ('probationary', 'full') AS active,
           unnest(ARRAY['status', 'class', 'gender', 'ethnicity', 'education',
                        'birth_date']) AS dimension,
           unnest(ARRAY[m.status, m.member_class, m.gender, m.ethnicity, m.education,
                        m.birth_date::text]) AS value
    FROM member m {join}
    WHERE {where}
) AS d
GROUP BY 1, 2, 3
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
            "m.tenant_id = :subtree_tenant_id"
            f" AND m.organization_id IN ({ORGANIZATION_SUBTREE_IDS})"
        ),
    )
    params = {"subtree_tenant_id": tenant_id, "subtree_org_path": org_path}
    rows = (await uow.session.execute(text(sql), params)).all()
    return next(iter(_counts_from(rows, today).values()), MemberCounts())


async def tenant_counts(
    uow: UnitOfWork, tenant_path: str, *, today: date
) -> dict[str, MemberCounts]:
    """Counts for a tenant subtree, bucketed by the direct child tenant a member lies under.

    The bucket is the child's path; members of the tenant itself fall in its own path.
    """
    depth = tenant_path.count(".") + 1
    named, params = tenant_filter(uow.session, "m.tenant_id")
    sql = _COUNTS_SQL.format(
        bucket=f"subpath(t.path, 0, LEAST(nlevel(t.path), {depth + 1}))::text",
        join=f"JOIN ({TENANT_SUBTREE}) AS t ON t.id = m.tenant_id",
        where=named,
    )
    params["subtree_tenant_path"] = tenant_path
    rows = (await uow.session.execute(text(sql), params)).all()
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
