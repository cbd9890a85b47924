"""Settling a relay round's records into the ledger: a few statements a round, not a few
an event.

Accrual hands over one tenant's records in event order: records that earn (a check-in,
evidence, leave …) and records withdrawn. Read once for them all: the rule versions in
force, the members (where they sit, birth dates, classes and conditions), the cap groups
a withdrawn record was booked in, then, with the members' balance rows held, the entries
of every cap group the round touches (a group with no cap only for the round's own
records: there each record earns alone). The groups are settled in memory in event order
(`domain.points.CapGroup`), so the caps fall where one event at a time would put them and
a record withdrawn after its arrival in the same round is reversed; then the entries and
balances are written in bulk (`ledger.append_many`). Settling is idempotent: a record
already booked, or a withdrawal already reversed, changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text

from domain.points import Booked, CapGroup, Change, MemberFacts, Source, items_earned, period_of
from infra.db.session import UnitOfWork
from infra.members import MemberSeat, member_seats
from infra.points.ledger import Entry, append_many, hold_balances
from infra.points.profiles import profiles_of
from infra.points.rule_sets import StoredRuleSet, version_on_day, versions_in_force


@dataclass(frozen=True, slots=True)
class Earned:
    """A record that earns its member the items of `source` on `day`, an item naming an
    activity kind only for that kind; `units` for items earned per unit (volunteer hours:
    `points × units` before the cap)."""

    event_id: uuid.UUID
    cause_type: str
    cause_id: uuid.UUID
    member_id: uuid.UUID
    day: date
    source: Source
    activity_kind: str | None = None
    units: int = 1


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """A record removed: its entries are reversed wherever it was booked."""

    event_id: uuid.UUID
    cause_type: str
    cause_id: uuid.UUID


Record = Earned | Withdrawn
GroupKey = tuple[uuid.UUID, str, uuid.UUID, str]
"""A cap group: (member_id, period, rule_version_id, item_code)."""

Step = tuple[Record, list[tuple[GroupKey, int | None]]]
"""A record and the cap groups it settles (with what it earns uncapped in each)."""


@dataclass(frozen=True, slots=True)
class Group:
    """What a cap group's entries carry besides their cause."""

    key: GroupKey
    rule_version: int
    item_cap: int | None
    item_points: int
    """What a record earns uncapped, for entries older than their `item_points` column."""


_ENTRIES = (
    "SELECT member_id, period, rule_version_id, item_code, cause_id, kind, points, item_points"
    " FROM point_entry WHERE tenant_id = :t AND ({where}) ORDER BY id"
)
_FIRST_BOOKINGS = (
    "SELECT cause_type, cause_id, member_id, period, rule_version_id, rule_version,"
    " item_code, item_points, item_cap FROM point_entry WHERE tenant_id = :t AND kind = 'accrual'"
    " AND cause_id = ANY(:causes) AND rule_version_id IS NOT NULL ORDER BY id"
)


async def settle_records(uow: UnitOfWork, tenant_id: uuid.UUID, records: Sequence[Record]) -> None:
    """Book a tenant's records, in their order, in the caller's unit of work."""
    booked_in = await _groups_booked(
        uow, tenant_id, [r for r in records if isinstance(r, Withdrawn)]
    )
    earning = {r.member_id for r in records if isinstance(r, Earned)}
    seats = await member_seats(
        uow, tenant_id, {g.key[0] for gs in booked_in.values() for g in gs} | earning
    )
    facts = await _facts(uow, tenant_id, seats, earning)
    versions = await versions_in_force(uow, tenant_id) if facts else []
    groups, steps = _plan(records, booked_in, facts, versions)
    if not groups:
        return
    await hold_balances(uow, tenant_id, [(k[0], k[1]) for k in groups])
    ledgers = await _read_groups(uow, tenant_id, groups, steps)
    entries = []
    for record, touched in steps:
        for key, points in touched:
            ledger = ledgers[key]
            if isinstance(record, Earned):
                changes = ledger.add(str(record.cause_id), points)
            else:
                changes = ledger.withdraw(str(record.cause_id))
            entries.extend(_entry(tenant_id, groups[key], record, c) for c in changes)
    organizations = {m: seat.organization_id for m, seat in seats.items()}
    await append_many(uow, tenant_id, entries, organizations)


def _plan(
    records: Sequence[Record],
    booked_in: dict[tuple[str, uuid.UUID], list[Group]],
    facts: dict[uuid.UUID, MemberFacts],
    versions: list[StoredRuleSet],
) -> tuple[dict[GroupKey, Group], list[Step]]:
    """Which cap groups each record settles, in order: an earning record those of the
    items it earns under the version in force on its day, a withdrawn one those it was
    booked in before or earlier in the round (`booked_in`, which this extends)."""
    groups: dict[GroupKey, Group] = {}
    steps: list[Step] = []
    for record in records:
        cause = (record.cause_type, record.cause_id)
        if isinstance(record, Withdrawn):
            touched = [(g.key, None) for g in booked_in.get(cause, [])]
            steps.append((record, touched))
            continue
        version = version_on_day(versions, record.day)
        member = facts.get(record.member_id)
        if version is None or member is None:
            continue
        rules = version.rules
        period = period_of(rules.period, record.day)
        touched = []
        for item in items_earned(
            rules, member, record.day, record.source, activity_kind=record.activity_kind
        ):
            key = (record.member_id, period, version.id, item.code)
            group = groups.setdefault(
                key, Group(key, rules.version, item.cap_per_period, item.points)
            )
            touched.append((key, item.points * record.units))
            within = booked_in.setdefault(cause, [])
            if all(g.key != key for g in within):
                within.append(group)
        steps.append((record, touched))
    for gs in booked_in.values():
        for g in gs:
            groups.setdefault(g.key, g)
    return groups, steps


async def _groups_booked(
    uow: UnitOfWork, tenant_id: uuid.UUID, withdrawn: Sequence[Withdrawn]
) -> dict[tuple[str, uuid.UUID], list[Group]]:
    """The cap groups each withdrawn record was booked in, from its first entries."""
    if not withdrawn:
        return {}
    rows = await uow.session.execute(
        text(_FIRST_BOOKINGS), {"t": tenant_id, "causes": list({w.cause_id for w in withdrawn})}
    )
    wanted = {(w.cause_type, w.cause_id) for w in withdrawn}
    found: dict[tuple[str, uuid.UUID], list[Group]] = {}
    for r in rows:
        if (r.cause_type, r.cause_id) in wanted:
            key = (r.member_id, r.period, r.rule_version_id, r.item_code or "")
            group = Group(key, r.rule_version or 0, r.item_cap, r.item_points or 0)
            found.setdefault((r.cause_type, r.cause_id), []).append(group)
    return found


async def _facts(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    seats: dict[uuid.UUID, MemberSeat],
    members: set[uuid.UUID],
) -> dict[uuid.UUID, MemberFacts]:
    """What the rules ask of the earning members the tenant holds (a guest at a joint
    activity earns nothing there, rather than stall the relay)."""
    held = [m for m in members if m in seats]
    profiles = await profiles_of(uow, tenant_id, held)
    facts = {}
    for member_id in held:
        profile = profiles.get(member_id)
        facts[member_id] = MemberFacts(
            member_class=profile.member_class if profile else None,
            conditions=frozenset(profile.conditions) if profile else frozenset(),
            birth_date=seats[member_id].birth_date,
        )
    return facts


async def _read_groups(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    groups: dict[GroupKey, Group],
    steps: Sequence[Step],
) -> dict[GroupKey, CapGroup]:
    """The touched cap groups as their entries leave them (their balances held): a capped
    group whole, an uncapped one as far as the round's own records are in it."""
    capped = [k for k, g in groups.items() if g.item_cap is not None]
    causes = list({r.cause_id for r, touched in steps if touched})
    where: list[str] = []
    params: dict[str, Any] = {"t": tenant_id}
    if len(capped) < len(groups):
        where.append("cause_id = ANY(:causes)")
        params["causes"] = causes
    if capped:  # as four arrays: a round may touch more groups than a statement has parameters
        where.append(
            "(member_id, period, rule_version_id, item_code) IN (SELECT * FROM unnest("
            "CAST(:g_member AS uuid[]), CAST(:g_period AS text[]),"
            " CAST(:g_version AS uuid[]), CAST(:g_item AS text[])))"
        )
        members, periods, versions, items = (list(c) for c in zip(*capped, strict=True))
        params.update(g_member=members, g_period=periods, g_version=versions, g_item=items)
    entries: dict[GroupKey, list[Booked]] = {k: [] for k in groups}
    for r in await uow.session.execute(text(_ENTRIES.format(where=" OR ".join(where))), params):
        key = (r.member_id, r.period, r.rule_version_id, r.item_code)
        if key in entries:
            entries[key].append(Booked(str(r.cause_id), r.kind, r.points, r.item_points))
    return {k: CapGroup.of(g.item_cap, g.item_points, entries[k]) for k, g in groups.items()}


def _entry(tenant_id: uuid.UUID, group: Group, record: Record, change: Change) -> Entry:
    member_id, period, version_id, item_code = group.key
    return Entry(
        tenant_id=tenant_id,
        member_id=member_id,
        period=period,
        kind=change.kind,
        points=change.points,
        rule_version_id=version_id,
        rule_version=group.rule_version,
        item_code=item_code,
        item_points=change.item_points,
        item_cap=group.item_cap,
        cause_type=record.cause_type,
        cause_id=uuid.UUID(change.cause),
        event_id=record.event_id,
    )
